using System;
using System.Collections.Generic;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Storage;
using Microsoft.PowerShell.Commands;
using BatchOps.Engine.Errors;

namespace BatchOps.Infrastructure
{
    /// <summary>
    /// What every BatchOps cmdlet shares: finding the store (-Store, else $env:BATCHOPS_STORE, else batchops.db in the
    /// current PowerShell location, always resolved through the PowerShell provider), keeping it open for the
    /// pipeline's life, and turning engine errors into ErrorRecords.
    /// </summary>
    public abstract class BatchOpsCmdlet : PSCmdlet, IDisposable
    {
        /// <summary>The environment variable that names the store when -Store is not given.</summary>
        public const string StoreVariable = "BATCHOPS_STORE";

        private readonly Dictionary<string, IJobStore> _stores = new Dictionary<string, IJobStore>(StringComparer.Ordinal);

        /// <summary>
        /// Where the store that -Store (or the fallbacks) points at is: the full path of a store file, resolved with the
        /// PowerShell provider, or a server store's string as given (<see cref="JobStoreFactory.KindOf"/>).
        /// </summary>
        protected string ResolveStorePath(string? store)
        {
            string raw = !string.IsNullOrWhiteSpace(store) ? store!
                : Environment.GetEnvironmentVariable(StoreVariable) is string fromEnvironment && fromEnvironment.Trim().Length > 0 ? fromEnvironment
                : JobStoreFactory.DefaultFileName;
            return JobStoreFactory.KindOf(raw) != StoreKind.SqliteFile
                ? raw
                : ResolveFileSystemPath(raw, "-Store", ErrorIds.StorePathInvalid, ErrorIds.StoreLocationNotFileSystem);
        }

        /// <summary>A path as <see cref="ResolveFileSystemPath(string, string, string, string)"/> resolves it, with one ErrorId for both failures.</summary>
        protected string ResolveFileSystemPath(string raw, string parameter, string errorId) => ResolveFileSystemPath(raw, parameter, errorId, errorId);

        /// <summary>
        /// A path as the user means it: relative to the PowerShell location (never the process's current directory),
        /// and in the file system. The file need not exist.
        /// </summary>
        protected string ResolveFileSystemPath(string raw, string parameter, string invalidId, string notFileSystemId)
        {
            string resolved;
            ProviderInfo provider;
            try
            {
                resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(raw, out provider, out _);
            }
            catch (Exception e) when (e is DriveNotFoundException || e is ProviderNotFoundException || e is ArgumentException || e is NotSupportedException)
            {
                throw new BatchOpsException(invalidId, BatchOpsErrorCategory.InvalidArgument, $"The {parameter} path '{raw}' cannot be resolved: {e.Message}", raw, e);
            }

            if (provider.ImplementingType != typeof(FileSystemProvider))
            {
                throw new BatchOpsException(
                    notFileSystemId,
                    BatchOpsErrorCategory.InvalidArgument,
                    $"The {parameter} path '{raw}' is on the {provider.Name} provider, not in the file system (the current location is {SessionState.Path.CurrentLocation}). Pass {parameter} with a path in the file system, or Set-Location to a folder first.",
                    raw);
            }

            return resolved;
        }

        /// <summary>Opens the store once per location for this pipeline (<see cref="JobStoreFactory"/>); terminating error if it cannot be opened.</summary>
        protected IJobStore OpenStore(string? store, StoreAccess access)
        {
            try
            {
                string path = ResolveStorePath(store);
                string cacheKey = access + "|" + path;
                if (!_stores.TryGetValue(cacheKey, out IJobStore? open))
                {
                    WriteVerbose($"Using the store '{JobStoreFactory.Redact(path)}'.");
                    open = JobStoreFactory.Open(path, access);
                    _stores[cacheKey] = open;
                }

                return open;
            }
            catch (BatchOpsException e)
            {
                ThrowTerminating(e);
                throw; // not reached
            }
        }

        /// <summary>Gives an open store to an owner that outlives this command (an -AsJob run); the command no longer closes it.</summary>
        protected void HandOver(IJobStore store)
        {
            foreach (KeyValuePair<string, IJobStore> open in new List<KeyValuePair<string, IJobStore>>(_stores))
            {
                if (ReferenceEquals(open.Value, store))
                {
                    _stores.Remove(open.Key);
                }
            }
        }

        /// <summary>Stops the command with the error (a cmdlet with a log writes it there first).</summary>
        protected virtual void ThrowTerminating(BatchOpsException e) => ThrowTerminatingError(ToErrorRecord(e));

        protected void WriteBatchOpsError(BatchOpsException e) => WriteError(ToErrorRecord(e));

        /// <summary>The error as an ErrorRecord with the advice for this command.</summary>
        protected ErrorRecord ToErrorRecord(BatchOpsException e) => ErrorRecords.From(e, MyInvocation?.MyCommand?.Name);

        /// <summary>Runs an engine call; its BatchOps error becomes a non-terminating error. Returns false on error.</summary>
        protected bool TryEngine(Action action)
        {
            try
            {
                action();
                return true;
            }
            catch (BatchOpsException e)
            {
                WriteBatchOpsError(e);
                return false;
            }
        }

        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        protected virtual void Dispose(bool disposing)
        {
            if (!disposing)
            {
                return;
            }

            foreach (IJobStore store in _stores.Values)
            {
                store.Dispose();
            }

            _stores.Clear();
        }
    }
}
