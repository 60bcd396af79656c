using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using BatchOps.Engine.Input;

namespace BatchOps.Engine.Processing
{
    /// <summary>A program to run once per item: the executable and its argument array, never a shell string.</summary>
    public sealed class ExternalCommand
    {
        public ExternalCommand(string fileName, IReadOnlyList<string> arguments, string workingDirectory)
        {
            FileName = fileName;
            Arguments = arguments;
            WorkingDirectory = workingDirectory;
        }

        /// <summary>The program, resolved to a full path (see <see cref="CommandResolver"/>).</summary>
        public string FileName { get; }

        /// <summary>Arguments; {Key}, {Payload}, {Attempt}, {Job} and {RunId} are replaced per item.</summary>
        public IReadOnlyList<string> Arguments { get; }

        public string WorkingDirectory { get; }

        /// <summary>Extra environment variables for every item (BATCHOPS_* are always set).</summary>
        public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>
        /// The exit code by which the program says "rate limited" (-RateLimitExitCode): dispatch pauses for every
        /// worker (a "Retry-After: N" line in its standard error sets the wait) and the attempt does not count.
        /// </summary>
        public int? RateLimitExitCode { get; set; }
    }

    /// <summary>
    /// Runs an external program per item. The item reaches it three ways: placeholders in the arguments, BATCHOPS_*
    /// environment variables, and a JSON document on standard input. Exit code 0 is success; standard output (capped)
    /// becomes the item's result; on failure the end of standard error becomes the error. On timeout or stop the whole
    /// process tree is killed.
    /// </summary>
    public sealed class ExternalCommandProcessor : IItemProcessor
    {
        /// <summary>The most characters of standard error kept for the error message (the end, where errors are).</summary>
        public const int ErrorTailLength = 4 * 1024;

        /// <summary>Payloads longer than this are not put in BATCHOPS_PAYLOAD (environment blocks are limited); stdin has them.</summary>
        public const int MaxPayloadInEnvironment = 16 * 1024;

        private readonly ExternalCommand _command;
        private readonly int _maxOutput;

        public ExternalCommandProcessor(ExternalCommand command, int maxOutputLength = 64 * 1024)
        {
            _command = command ?? throw new ArgumentNullException(nameof(command));
            _maxOutput = maxOutputLength;
        }

        /// <summary>Replaces the placeholders in one argument. Unknown braces are left as they are.</summary>
        public static string Expand(string argument, ItemContext item)
        {
            if (argument.IndexOf('{') < 0)
            {
                return argument;
            }

            return argument
                .Replace("{Key}", item.Key)
                .Replace("{Payload}", PayloadJson.ToText(item.Payload))
                .Replace("{Attempt}", item.Attempt.ToString(CultureInfo.InvariantCulture))
                .Replace("{Job}", item.Job)
                .Replace("{RunId}", item.RunId.ToString(CultureInfo.InvariantCulture));
        }

        public async Task<ItemResult> ProcessAsync(ItemContext item, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = new ProcessStartInfo(_command.FileName)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
                WorkingDirectory = _command.WorkingDirectory,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            var arguments = new List<string>(_command.Arguments.Count);
            foreach (string argument in _command.Arguments)
            {
                arguments.Add(Expand(argument, item));
            }

            CommandLine.SetArguments(info, arguments);
            foreach (KeyValuePair<string, string> variable in _command.Environment)
            {
                info.Environment[variable.Key] = variable.Value;
            }

            info.Environment[RunnerMark.Variable] = RunnerMark.Current; // how a later run finds it if this process dies
            info.Environment["BATCHOPS_JOB"] = item.Job;
            info.Environment["BATCHOPS_KEY"] = item.Key;
            info.Environment["BATCHOPS_ATTEMPT"] = item.Attempt.ToString(CultureInfo.InvariantCulture);
            info.Environment["BATCHOPS_RUN_ID"] = item.RunId.ToString(CultureInfo.InvariantCulture);
            string payloadText = PayloadJson.ToText(item.Payload);
            if (payloadText.Length <= MaxPayloadInEnvironment)
            {
                info.Environment["BATCHOPS_PAYLOAD"] = payloadText;
            }

            using var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.Exited += (_, __) => exited.TrySetResult(true);
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return ItemResult.Failure($"Could not start '{_command.FileName}': {e.Message}", "StartFailed");
            }

            Task<string> output = ReadCappedAsync(process.StandardOutput, _maxOutput, keepTail: false);
            Task<string> errors = ReadCappedAsync(process.StandardError, ErrorTailLength, keepTail: true);
            Task input = WriteInputAsync(process.StandardInput, item);

            using (cancellationToken.Register(() => ProcessTree.Kill(process)))
            {
                await exited.Task.ConfigureAwait(false);
            }

            process.WaitForExit(); // lets the runtime finish its own bookkeeping of the exit
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException($"The command for item '{item.Key}' was stopped.", cancellationToken);
            }

            // A grandchild that keeps the pipes open must not hold the item forever.
            Task outputsDone = Task.WhenAll(output, errors, input);
            await Task.WhenAny(outputsDone, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
            string stdout = output.IsCompleted ? output.Result : "";
            string stderr = errors.IsCompleted ? errors.Result : "";
            int exitCode = process.ExitCode;
            if (exitCode == 0)
            {
                return ItemResult.Success(stdout);
            }

            string detail = stderr.Trim();
            if (_command.RateLimitExitCode == exitCode)
            {
                return ItemResult.RateLimited(
                    detail.Length == 0 ? $"Exit code {exitCode} (rate limited)." : $"Exit code {exitCode} (rate limited): {detail}",
                    RateLimitSignal.RetryAfterIn(stderr),
                    stdout);
            }

            string error = NativeFailure.Message(exitCode, detail);
            return IsInterruptExitCode(exitCode) ? ItemResult.Interrupted(error, "ExitCode", stdout) : ItemResult.Failure(error, "ExitCode", stdout);
        }

        // 128 + SIGINT / SIGTERM on Unix; STATUS_CONTROL_C_EXIT on Windows.
        private static bool IsInterruptExitCode(int exitCode) => exitCode == 130 || exitCode == 143 || exitCode == unchecked((int)0xC000013A);

        private static async Task WriteInputAsync(StreamWriter stdin, ItemContext item)
        {
            try
            {
                using var buffer = new MemoryStream();
                using (var json = new Utf8JsonWriter(buffer))
                {
                    json.WriteStartObject();
                    json.WriteString("job", item.Job);
                    json.WriteString("key", item.Key);
                    json.WriteNumber("attempt", item.Attempt);
                    json.WriteNumber("runId", item.RunId);
                    json.WritePropertyName("payload");
                    if (string.IsNullOrEmpty(item.Payload))
                    {
                        json.WriteNullValue();
                    }
                    else if (FileSystemPayload.TryRead(item.Payload, out string path))
                    {
                        json.WriteStringValue(path); // a command gets a file's path, as it always has
                    }
                    else
                    {
                        using JsonDocument payload = JsonDocument.Parse(item.Payload!);
                        payload.RootElement.WriteTo(json);
                    }

                    json.WriteEndObject();
                }

                await stdin.WriteAsync(Encoding.UTF8.GetString(buffer.ToArray())).ConfigureAwait(false);
                await stdin.FlushAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The program exited without reading its input: that is its business.
            }
            catch (JsonException)
            {
                // A payload that is not JSON cannot be embedded; the program still gets it in the environment.
            }
            finally
            {
                try
                {
                    stdin.Close();
                }
                catch (IOException)
                {
                }
            }
        }

        private static async Task<string> ReadCappedAsync(StreamReader reader, int cap, bool keepTail)
        {
            var text = new StringBuilder();
            var buffer = new char[4096];
            long dropped = 0;
            int read;
            while ((read = await reader.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
            {
                if (keepTail)
                {
                    text.Append(buffer, 0, read);
                    if (text.Length > cap * 2)
                    {
                        dropped += text.Length - cap;
                        text.Remove(0, text.Length - cap);
                    }

                    continue;
                }

                int room = Math.Max(0, cap - text.Length);
                text.Append(buffer, 0, Math.Min(room, read));
                dropped += read - Math.Min(room, read); // keep reading so the program never blocks on a full pipe
            }

            if (keepTail && text.Length > cap)
            {
                dropped += text.Length - cap;
                text.Remove(0, text.Length - cap);
            }

            if (dropped > 0)
            {
                string note = string.Format(CultureInfo.InvariantCulture, "[{0:N0} characters cut]", dropped);
                return keepTail ? note + " " + text : text + " " + note;
            }

            return text.ToString();
        }
    }
}
