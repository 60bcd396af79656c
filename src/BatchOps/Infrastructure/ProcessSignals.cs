using System;
using System.Collections.Generic;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// While a run is in progress, SIGTERM (systemctl stop, docker stop, kill), SIGHUP and SIGINT stop it as
    /// Stop-BatchRun would, instead of killing PowerShell in the middle of a batch: the run claims nothing more, its
    /// items in flight get -StopTimeout to finish before they are cancelled and released, and it writes its final
    /// checkpoint and log line. A second signal cancels the items in flight at once. Once every run of the process
    /// has ended, the process exits with 128 + the signal (143, 129, 130), as it would have without BatchOps.
    /// SIGINT does not end the process for an -AsJob run (Ctrl+C at a prompt must not close the shell).
    /// PosixSignalRegistration exists from .NET 6 on and this assembly targets netstandard2.0, so it is reached by
    /// reflection; on Windows and in Windows PowerShell 5.1 nothing is registered.
    /// </summary>
    internal sealed class ProcessSignals : IDisposable
    {
        private const int SigHup = 1;
        private const int SigInt = 2;
        private const int SigTerm = 15;

        private static readonly object Gate = new object();
        private static int s_runs; // runs in progress that watch signals, in this process
        private static int s_exitCode; // 128 + the first signal that should end the process; 0: none yet

        private readonly Action _stopGracefully;
        private readonly CancellationTokenSource _cancel;
        private readonly TimeSpan _stopTimeout;
        private readonly bool _interruptEndsProcess;
        private readonly Action<string> _say;
        private readonly List<IDisposable> _registrations = new List<IDisposable>();
        private int _caught; // the first signal this run caught
        private bool _disposed;

        private ProcessSignals(Action stopGracefully, CancellationTokenSource cancel, TimeSpan stopTimeout, bool interruptEndsProcess, Action<string> say)
        {
            _say = say;
            _stopGracefully = stopGracefully;
            _cancel = cancel;
            _stopTimeout = stopTimeout;
            _interruptEndsProcess = interruptEndsProcess;
        }

        /// <summary>Starts watching the signals for one run; dispose it when the run has written its final checkpoint.</summary>
        /// <param name="stopGracefully">Asks the run to stop at the next item boundary.</param>
        /// <param name="cancel">Cancels the items in flight; cancelled <paramref name="stopTimeout"/> after the first signal.</param>
        /// <param name="interruptEndsProcess">False for -AsJob: SIGINT stops the run but leaves the process.</param>
        /// <param name="say">Writes a warning to the run's output and log; called on the signal's thread.</param>
        public static ProcessSignals Watch(Action stopGracefully, CancellationTokenSource cancel, TimeSpan stopTimeout, bool interruptEndsProcess, Action<string> say)
        {
            var signals = new ProcessSignals(stopGracefully, cancel, stopTimeout, interruptEndsProcess, say);
            lock (Gate)
            {
                s_runs++;
            }

            if (Api.Create != null)
            {
                foreach (int signal in new[] { SigTerm, SigHup, SigInt })
                {
                    if (Api.Register(signal, signals) is IDisposable registration)
                    {
                        signals._registrations.Add(registration);
                    }
                }
            }

            return signals;
        }

        /// <summary>
        /// Stops watching. Returns the exit code the process should end with now (128 + signal) when a signal came
        /// that ends the process, null otherwise. After such a signal it first waits for the other runs of the
        /// process (an -AsJob run beside this one), which the signal stopped too, so none is cut off.
        /// </summary>
        public int? Finish()
        {
            Dispose();
            lock (Gate)
            {
                while (s_exitCode != 0 && s_runs > 0)
                {
                    Monitor.Wait(Gate);
                }

                return s_exitCode != 0 ? s_exitCode : (int?)null;
            }
        }

        /// <summary>Ends the process with <paramref name="exitCode"/> when there is one, the log closed first.</summary>
        public static void ExitIfAsked(int? exitCode, IDisposable? log)
        {
            if (exitCode is int code)
            {
                log?.Dispose();
                Environment.Exit(code);
            }
        }

        /// <summary>
        /// True for a PowerShell prompt (pwsh without -File or -Command, or with -NoExit): there Ctrl+C stops the
        /// command, as it always did, and must not close the shell. pwsh -File/-Command (a scheduler's, a service's)
        /// ends with 130 on SIGINT.
        /// </summary>
        public static bool InteractiveShell
        {
            get
            {
                string[] args = Environment.GetCommandLineArgs();
                for (int i = 1; i < args.Length; i++)
                {
                    if (!args[i].StartsWith("-", StringComparison.Ordinal))
                    {
                        return false; // pwsh job.ps1: a script file
                    }

                    string arg = args[i].TrimStart('-').ToLowerInvariant();

                    if (arg.Length >= 3 && "noexit".StartsWith(arg, StringComparison.Ordinal))
                    {
                        return true;
                    }

                    if (arg == "f" || arg == "c" || arg == "e" || arg == "ec" || arg.Length >= 2 && ("file".StartsWith(arg, StringComparison.Ordinal) || "command".StartsWith(arg, StringComparison.Ordinal) || "encodedcommand".StartsWith(arg, StringComparison.Ordinal)))
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        public void Dispose()
        {
            lock (Gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                s_runs--;
                Monitor.PulseAll(Gate);
            }

            foreach (IDisposable registration in _registrations)
            {
                registration.Dispose();
            }
        }

        private void OnSignal(int signal)
        {
            if (Interlocked.CompareExchange(ref _caught, signal, 0) != 0)
            {
                CancelQuietly(() => _cancel.Cancel()); // a second signal: do not wait for the items in flight
                return;
            }

            bool ends = signal != SigInt || _interruptEndsProcess;
            if (ends)
            {
                lock (Gate)
                {
                    s_exitCode = s_exitCode == 0 ? 128 + signal : s_exitCode;
                }
            }

            _stopGracefully();
            CancelQuietly(() => _cancel.CancelAfter(_stopTimeout));
            string seconds = Wording.Seconds(_stopTimeout);
            // The console host turns SIGINT into Ctrl+C too, which cancels the items in flight at once.
            string inFlight = signal == SigInt ? "items in flight are returned to the queue" : $"items in flight have {seconds} s (-StopTimeout) to finish, then they are returned to the queue";
            _say($"Caught {Name(signal)}: stopping at the next item boundary; {inFlight}." + (ends ? $" PowerShell then exits with code {128 + signal}." : ""));
        }

        private static void CancelQuietly(Action cancel)
        {
            try
            {
                cancel();
            }
            catch (ObjectDisposedException)
            {
                // the run ended meanwhile
            }
        }

        private static string Name(int signal) => signal switch
        {
            SigTerm => "SIGTERM",
            SigHup => "SIGHUP",
            _ => "SIGINT",
        };

        /// <summary>One handler per signal, bound to the run, in the shape PosixSignalRegistration.Create wants.</summary>
        private sealed class Handler
        {
            private readonly ProcessSignals _owner;
            private readonly int _signal;

            public Handler(ProcessSignals owner, int signal)
            {
                _owner = owner;
                _signal = signal;
            }

            // Bound to Action<PosixSignalContext> (a class, so an object parameter binds). Cancel = true keeps the
            // runtime from ending the process now; the run's end does that, after its checkpoint.
            public void Handle(object context)
            {
                Api.Cancel!.SetValue(context, true);
                _owner.OnSignal(_signal);
            }
        }

        /// <summary>PosixSignalRegistration, PosixSignal and PosixSignalContext.Cancel found by reflection, or nulls.</summary>
        private static class Api
        {
            public static readonly MethodInfo? Create;
            public static readonly PropertyInfo? Cancel;
            private static readonly Type? s_signalType;
            private static readonly Type? s_handlerType;

            static Api()
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    return; // Windows has no SIGTERM or SIGHUP to catch; Ctrl+C stays with the console host
                }

                Type? registration = Type.GetType("System.Runtime.InteropServices.PosixSignalRegistration, System.Runtime.InteropServices", throwOnError: false);
                Type? signal = registration?.Assembly.GetType("System.Runtime.InteropServices.PosixSignal");
                Type? context = registration?.Assembly.GetType("System.Runtime.InteropServices.PosixSignalContext");
                if (registration == null || signal == null || context == null)
                {
                    return; // .NET Framework (Windows PowerShell 5.1) or a runtime before .NET 6
                }

                s_signalType = signal;
                s_handlerType = typeof(Action<>).MakeGenericType(context);
                Cancel = context.GetProperty("Cancel");
                Create = registration.GetMethod("Create", new[] { signal, s_handlerType });
                if (Cancel == null)
                {
                    Create = null;
                }
            }

            /// <summary>Registers the handler; null when the platform refuses the signal.</summary>
            public static IDisposable? Register(int signal, ProcessSignals owner)
            {
                // PosixSignal names the signals by negative numbers that are the same on every platform.
                int value = signal switch
                {
                    SigHup => -1,
                    SigInt => -2,
                    _ => -4,
                };
                var handler = new Handler(owner, signal);
                Delegate callback = Delegate.CreateDelegate(s_handlerType!, handler, typeof(Handler).GetMethod(nameof(Handler.Handle))!);
                try
                {
                    return (IDisposable?)Create!.Invoke(null, new[] { Enum.ToObject(s_signalType!, value), callback });
                }
                catch (TargetInvocationException)
                {
                    return null;
                }
            }
        }
    }
}
