namespace BatchOps.Engine.Errors
{
    /// <summary>The stable ErrorIds of BatchOps errors. Scripts may match on them: never rename one.</summary>
    public static class ErrorIds
    {
        // Run options.
        public const string InvalidBatchSize = "InvalidBatchSize";
        public const string InvalidThrottleLimit = "InvalidThrottleLimit";
        public const string InvalidBatchDelay = "InvalidBatchDelay";
        public const string InvalidRetryLimit = "InvalidRetryLimit";
        public const string InvalidRetryDelay = "InvalidRetryDelay";
        public const string InvalidItemTimeout = "InvalidItemTimeout";
        public const string InvalidRateLimit = "InvalidRateLimit";
        public const string InvalidTargetPercent = "InvalidTargetPercent";
        public const string InvalidMaxItems = "InvalidMaxItems";
        public const string InvalidMaxDuration = "InvalidMaxDuration";
        public const string InvalidLeaseDuration = "InvalidLeaseDuration";
        public const string InvalidMaxResultLength = "InvalidMaxResultLength";

        // Jobs and items.
        public const string InvalidJobName = "InvalidJobName";
        public const string JobNotFound = "JobNotFound";
        public const string JobBusy = "JobBusy";
        public const string KeyEmpty = "KeyEmpty";
        public const string KeyTooLong = "KeyTooLong";
        public const string KeyInvalid = "KeyInvalid";
        public const string KeyPropertyNotFound = "KeyPropertyNotFound";
        public const string KeyNotInferable = "KeyNotInferable";
        public const string KeyScriptFailed = "KeyScriptFailed";
        public const string InvalidKeySelector = "InvalidKeySelector";
        public const string ItemNotFound = "ItemNotFound";
        public const string RunNotFound = "RunNotFound";
        public const string ItemInFlight = "ItemInFlight";
        public const string PayloadNotSerializable = "PayloadNotSerializable";
        public const string InvalidItemSelection = "InvalidItemSelection";
        public const string JobMissing = "JobMissing";
        public const string JobAmbiguous = "JobAmbiguous";
        public const string InputMixed = "InputMixed";

        // The store.
        public const string StoreNotFound = "StoreNotFound";
        public const string StoreFolderNotFound = "StoreFolderNotFound";
        public const string StoreReadOnly = "StoreReadOnly";
        public const string StoreUpgradeNeeded = "StoreUpgradeNeeded";
        public const string StoreNotSqlite = "StoreNotSqlite";
        public const string StoreNotBatchOps = "StoreNotBatchOps";
        public const string StoreSchemaTooNew = "StoreSchemaTooNew";
        public const string StoreBusy = "StoreBusy";
        public const string StoreError = "StoreError";
        public const string StoreLocationNotFileSystem = "StoreLocationNotFileSystem";
        public const string StorePathInvalid = "StorePathInvalid";
        public const string StoreDiskFull = "StoreDiskFull";
        public const string StoreDamaged = "StoreDamaged";
        public const string StoreLink = "StoreLink";
        public const string StoreBackendNotSupported = "StoreBackendNotSupported";

        // Processors and runs.
        public const string ProcessorMissing = "ProcessorMissing";
        public const string ProcessorFailed = "ProcessorFailed";
        public const string CommandNotFound = "CommandNotFound";
        public const string RunFailed = "RunFailed";
        public const string RunItemsFailed = "RunItemsFailed";
        public const string RunCircuitBroken = "RunCircuitBroken";
        public const string JobRemoved = "JobRemoved";
        public const string RunNotActive = "RunNotActive";
        public const string JobTargetUnreachable = "JobTargetUnreachable";
        public const string WaitTimedOut = "WaitTimedOut";
        public const string InvalidTimeout = "InvalidTimeout";
        public const string InvalidPollInterval = "InvalidPollInterval";
        public const string InvalidLogPath = "InvalidLogPath";
        public const string LogDiskFull = "LogDiskFull";

        // Vector store backups.
        public const string BackupSourceNotFound = "BackupSourceNotFound";
        public const string BackupSourceInvalid = "BackupSourceInvalid";
        public const string BackupSourceChanged = "BackupSourceChanged";
        public const string BackupDestinationInvalid = "BackupDestinationInvalid";
        public const string BackupDestinationNotFound = "BackupDestinationNotFound";
        public const string InvalidKeepRuns = "InvalidKeepRuns";
        public const string BackupNameInvalid = "BackupNameInvalid";
        public const string InvalidRetention = "InvalidRetention";
        public const string BackupNotFound = "BackupNotFound";
        public const string BackupInvalid = "BackupInvalid";
        public const string BackupManifestUnsafe = "BackupManifestUnsafe";
        public const string BackupFailed = "BackupFailed";
        public const string BackupDiskFull = "BackupDiskFull";
        public const string RestoreTargetInvalid = "RestoreTargetInvalid";
        public const string RestoreFailed = "RestoreFailed";
        public const string RestoreTooManySets = "RestoreTooManySets";

        // Health, memory guard, rate limits, continuous runs, run backups.
        public const string InvalidHealthThreshold = "InvalidHealthThreshold";
        public const string InvalidMaxMemoryPercent = "InvalidMaxMemoryPercent";
        public const string InvalidMaxFailureRatio = "InvalidMaxFailureRatio";
        public const string InvalidRateLimitWait = "InvalidRateLimitWait";
        public const string InvalidStopTimeout = "InvalidStopTimeout";
        public const string InvalidDeepSleep = "InvalidDeepSleep";
        public const string InvalidRunBackup = "InvalidRunBackup";
        public const string InvalidHealthInterval = "InvalidHealthInterval";
        public const string InvalidHealthCount = "InvalidHealthCount";
        public const string InvalidMemoryWait = "InvalidMemoryWait";
        public const string InvalidAutoRestore = "InvalidAutoRestore";
        public const string InvalidVectorStorePath = "InvalidVectorStorePath";
        public const string AutoRestoreFailed = "AutoRestoreFailed";

        // Results out (Export-BatchResult, Start-BatchRun -ResultPath) and restores that reconcile a job.
        public const string ResultFormatUnknown = "ResultFormatUnknown";
        public const string ResultPathInvalid = "ResultPathInvalid";
        public const string ResultFileExists = "ResultFileExists";
        public const string ResultFolderNotFound = "ResultFolderNotFound";
        public const string ResultWriteFailed = "ResultWriteFailed";
        public const string ResultBatchesCollide = "ResultBatchesCollide";
        public const string RestoreJobMismatch = "RestoreJobMismatch";
        public const string RestoreNotReconcilable = "RestoreNotReconcilable";
    }
}
