using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Reporting
{
    /// <summary>
    /// The name of a per-batch results file: a path with {Job}, {Run} and {Batch} in it, the numbers optionally with a
    /// .NET number format ({Batch:0000} is batch 7 as 0007), e.g. 'results/{Job}_batch_{Batch:0000}.json'. {Batch} is
    /// required (else every batch would write the same file). Characters a file name may not hold in the job name are
    /// written as '_'.
    /// </summary>
    public sealed class ResultPathTemplate
    {
        private static readonly Regex Placeholder = new Regex(@"\{([^{}:]*)(?::([^{}]*))?\}", RegexOptions.CultureInvariant);

        private ResultPathTemplate(string template)
        {
            Template = template;
        }

        public string Template { get; }

        /// <summary>True when the template has {Run}: batches of different runs then never share a file name.</summary>
        public bool HasRun { get; private set; }

        /// <summary>Checks the template; a ResultPathInvalid error that names the problem otherwise.</summary>
        public static ResultPathTemplate Parse(string template)
        {
            if (string.IsNullOrWhiteSpace(template))
            {
                throw Invalid(template, "it is empty");
            }

            var parsed = new ResultPathTemplate(template);
            bool hasBatch = false;
            foreach (Match match in Placeholder.Matches(template))
            {
                string name = match.Groups[1].Value;
                string? format = match.Groups[2].Success ? match.Groups[2].Value : null;
                if (name.Equals("Batch", StringComparison.OrdinalIgnoreCase))
                {
                    hasBatch = true;
                }
                else if (name.Equals("Run", StringComparison.OrdinalIgnoreCase))
                {
                    parsed.HasRun = true;
                }
                else if (!name.Equals("Job", StringComparison.OrdinalIgnoreCase))
                {
                    throw Invalid(template, $"'{match.Value}' is not one of {{Job}}, {{Run}}, {{Batch}}");
                }

                if (format != null && !name.Equals("Job", StringComparison.OrdinalIgnoreCase))
                {
                    try
                    {
                        _ = 1L.ToString(format, CultureInfo.InvariantCulture);
                    }
                    catch (FormatException)
                    {
                        throw Invalid(template, $"'{format}' in '{match.Value}' is not a number format (use e.g. {{Batch:0000}})");
                    }
                }
            }

            if (!hasBatch)
            {
                throw Invalid(template, "it has no {Batch}, so every batch would write the same file");
            }

            string rest = Placeholder.Replace(template, "");
            if (rest.IndexOf('{') >= 0 || rest.IndexOf('}') >= 0)
            {
                throw Invalid(template, "a '{' or '}' is not part of a {Job}, {Run} or {Batch}");
            }

            return parsed;
        }

        /// <summary>
        /// Resolves a template as a path (<paramref name="resolve"/>: PowerShell's provider) with its placeholders kept:
        /// they are swapped for plain tokens first, as '{Batch:0000}' would otherwise read as a drive name.
        /// </summary>
        public static string Resolve(string template, Func<string, string> resolve)
        {
            var placeholders = new System.Collections.Generic.List<string>();
            string guarded = Placeholder.Replace(template, match =>
            {
                placeholders.Add(match.Value);
                return "BatchOpsPlaceholder" + (placeholders.Count - 1).ToString(CultureInfo.InvariantCulture) + "_";
            });
            string resolved = resolve(guarded);
            for (int i = placeholders.Count - 1; i >= 0; i--)
            {
                resolved = resolved.Replace("BatchOpsPlaceholder" + i.ToString(CultureInfo.InvariantCulture) + "_", placeholders[i]);
            }

            return resolved;
        }

        /// <summary>The file name of one batch (relative as the template is: the caller resolves it).</summary>
        public string For(string job, long run, long batch) => Placeholder.Replace(Template, match =>
        {
            string name = match.Groups[1].Value;
            string? format = match.Groups[2].Success ? match.Groups[2].Value : null;
            if (name.Equals("Job", StringComparison.OrdinalIgnoreCase))
            {
                return SafeName(job);
            }

            long value = name.Equals("Run", StringComparison.OrdinalIgnoreCase) ? run : batch;
            return value.ToString(format, CultureInfo.InvariantCulture);
        });

        private static string SafeName(string job)
        {
            char[] invalid = Path.GetInvalidFileNameChars();
            var safe = new StringBuilder(job.Length);
            foreach (char c in job)
            {
                safe.Append(Array.IndexOf(invalid, c) >= 0 || c == '/' || c == '\\' || c == ':' ? '_' : c);
            }

            return safe.ToString();
        }

        private static BatchOpsException Invalid(string template, string why) =>
            BatchOpsException.InvalidArgument(
                ErrorIds.ResultPathInvalid,
                $"The per-batch results path '{template}' cannot be used: {why}; nothing was written. Use a path such as 'results/{{Job}}_batch_{{Batch:0000}}.json' ({{Run}} keeps the files of different runs apart).",
                template);
    }
}
