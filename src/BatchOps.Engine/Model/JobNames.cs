using BatchOps.Engine.Errors;
using BatchOps.Engine.Input;
namespace BatchOps
{
    /// <summary>What a job name may be: short printable text without wildcard characters (they select jobs).</summary>
    public static class JobNames
    {
        public const int MaxLength = 128;

        public static void Validate(string? name) => Check(name, wildcardsAllowed: false);

        /// <summary>A name or wildcard pattern that selects jobs (Get-BatchJob): printable and short, wildcards allowed.</summary>
        public static void ValidatePattern(string? name) => Check(name, wildcardsAllowed: true);

        private static void Check(string? name, bool wildcardsAllowed)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw Invalid($"The job name '{Printable.Text(name)}' is empty or blank; a job needs a name such as 'embed-chunks'.", name);
            }

            if (name!.Length > MaxLength)
            {
                throw Invalid($"The job name '{Printable.Text(name)}' is {name.Length:N0} characters long; the limit is {MaxLength}. Use a shorter name.", name);
            }

            if (Printable.FirstControl(name) is string control)
            {
                throw Invalid($"The job name '{Printable.Text(name)}' contains {control}, which job names may not hold. Use letters, digits, '-', '_' or '.'.", name);
            }

            if (wildcardsAllowed)
            {
                return;
            }

            foreach (char c in name)
            {
                if (c == '*' || c == '?' || c == '[' || c == ']')
                {
                    throw Invalid($"The job name '{name}' contains '{c}', which job names may not hold (wildcards select jobs). Use letters, digits, '-', '_' or '.'.", name);
                }
            }
        }

        private static BatchOpsException Invalid(string message, string? name) =>
            BatchOpsException.InvalidArgument(ErrorIds.JobNameInvalid, message, name);
    }
}
