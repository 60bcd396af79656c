namespace BatchOps.Engine.Errors
{
    /// <summary>
    /// The stable ErrorIds of BatchOps errors, each named subject first, then what is wrong (BatchSizeInvalid,
    /// JobNotFound, StoreBusy). Scripts may match on them: from version 1.0 on, never rename one.
    /// </summary>
    public static class ErrorIds
    {
        // Run options.
        public const string BatchSizeInvalid = "BatchSizeInvalid";
        public const string ThrottleLimitInvalid = "ThrottleLimitInvalid";
        public const string BatchDelayInvalid = "BatchDelayInvalid";
        public const string RetryLimitInvalid = "RetryLimitInvalid";
        public const string RetryDelayInvalid = "RetryDelayInvalid";
        public const string ItemTimeoutInvalid = "ItemTimeoutInvalid";
        public const string RateLimitInvalid = "RateLimitInvalid";
        public const string TargetPercentInvalid = "TargetPercentInvalid";
        public const string MaxItemsInvalid = "MaxItemsInvalid";
        public const string MaxDurationInvalid = "MaxDurationInvalid";
        public const string LeaseDurationInvalid = "LeaseDurationInvalid";
        public const string MaxResultLengthInvalid = "MaxResultLengthInvalid";

        // Jobs and items.
        public const string JobNameInvalid = "JobNameInvalid";
        public const string JobNotFound = "JobNotFound";
        public const string JobBusy = "JobBusy";
        public const string KeyEmpty = "KeyEmpty";
        public const string KeyTooLong = "KeyTooLong";
        public const string KeyInvalid = "KeyInvalid";
        public const string KeyPropertyNotFound = "KeyPropertyNotFound";
        public const string KeyNotInferable = "KeyNotInferable";
        public const string KeyScriptFailed = "KeyScriptFailed";
        public const string KeySelectorInvalid = "KeySelectorInvalid";
        public const string ItemNotFound = "ItemNotFound";
        public const string RunNotFound = "RunNotFound";
        public const string ItemInFlight = "ItemInFlight";
        public const string PayloadNotSerializable = "PayloadNotSerializable";
        public const string ItemSelectionInvalid = "ItemSelectionInvalid";
        public const string JobMissing = "JobMissing";
        public const string JobAmbiguous = "JobAmbiguous";
        public const string InputMixed = "InputMixed";
        public const string JobExists = "JobExists";
        public const string JobCopyToItself = "JobCopyToItself";

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

        // A store on a PostgreSQL server.
        public const string StoreAddressInvalid = "StoreAddressInvalid";
        public const string StoreUnreachable = "StoreUnreachable";
        public const string StoreLoginFailed = "StoreLoginFailed";
        public const string StoreAccessDenied = "StoreAccessDenied";

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
        public const string TimeoutInvalid = "TimeoutInvalid";
        public const string PollIntervalInvalid = "PollIntervalInvalid";
        public const string LogPathInvalid = "LogPathInvalid";
        public const string LogDiskFull = "LogDiskFull";

        // Vector store backups.
        public const string BackupSourceNotFound = "BackupSourceNotFound";
        public const string BackupSourceInvalid = "BackupSourceInvalid";
        public const string BackupSourceChanged = "BackupSourceChanged";
        public const string BackupDestinationInvalid = "BackupDestinationInvalid";
        public const string BackupDestinationNotFound = "BackupDestinationNotFound";
        public const string KeepRunsInvalid = "KeepRunsInvalid";
        public const string BackupNameInvalid = "BackupNameInvalid";
        public const string RetentionInvalid = "RetentionInvalid";
        public const string BackupNotFound = "BackupNotFound";
        public const string BackupInvalid = "BackupInvalid";
        public const string BackupManifestUnsafe = "BackupManifestUnsafe";
        public const string BackupFailed = "BackupFailed";
        public const string BackupDiskFull = "BackupDiskFull";
        public const string RestoreTargetInvalid = "RestoreTargetInvalid";
        public const string RestoreFailed = "RestoreFailed";
        public const string RestoreTooManySets = "RestoreTooManySets";

        // Health, memory guard, rate limits, continuous runs, run backups.
        public const string HealthThresholdInvalid = "HealthThresholdInvalid";
        public const string MaxMemoryPercentInvalid = "MaxMemoryPercentInvalid";
        public const string MaxFailureRatioInvalid = "MaxFailureRatioInvalid";
        public const string RateLimitWaitInvalid = "RateLimitWaitInvalid";
        public const string StopTimeoutInvalid = "StopTimeoutInvalid";
        public const string DeepSleepInvalid = "DeepSleepInvalid";
        public const string RunBackupInvalid = "RunBackupInvalid";
        public const string HealthIntervalInvalid = "HealthIntervalInvalid";
        public const string HealthCountInvalid = "HealthCountInvalid";
        public const string MemoryWaitInvalid = "MemoryWaitInvalid";
        public const string AutoRestoreInvalid = "AutoRestoreInvalid";
        public const string VectorStorePathInvalid = "VectorStorePathInvalid";
        public const string AutoRestoreFailed = "AutoRestoreFailed";

        // Results out (Export-BatchResult, Start-BatchRun -ResultPath) and restores that reconcile a job.
        public const string ResultFormatUnknown = "ResultFormatUnknown";
        public const string ResultPathInvalid = "ResultPathInvalid";
        public const string ResultFileExists = "ResultFileExists";
        public const string ResultFolderNotFound = "ResultFolderNotFound";
        public const string ResultWriteFailed = "ResultWriteFailed";
        public const string ResultBatchesCollide = "ResultBatchesCollide";
        public const string ResultPathReused = "ResultPathReused";
        public const string RestoreJobMismatch = "RestoreJobMismatch";
        public const string RestoreNotReconcilable = "RestoreNotReconcilable";
    }
}
