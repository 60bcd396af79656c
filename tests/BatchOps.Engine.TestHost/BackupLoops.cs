using System;
using System.IO;
using BatchOps;
using BatchOps.Engine.Backup;

/// <summary>
/// Backups and restores in an endless loop, for the tests that kill this process in the middle of one:
///   backup-loop &lt;destination&gt; &lt;source&gt;... : backs the sources up again and again, printing "backup NAME" after each.
///   restore-loop &lt;set A&gt; &lt;set B&gt;          : restores A, then B, then A ..., printing "restored NAME" after each.
///   restore-job &lt;set&gt; &lt;store&gt; &lt;job&gt; &lt;step&gt;  : restores the set reconciling the job, and at the restore's step
///                                          (journal, committed ...) prints "at STEP" and waits to be killed.
/// </summary>
internal static class BackupLoops
{
    public static int Backup(string destination, string[] sources)
    {
        var writer = new VectorStoreBackupWriter();
        while (true)
        {
            BackupOutcome outcome = writer.Create(new BackupRequest { Paths = sources, Destination = destination });
            Console.Out.WriteLine("backup " + outcome.Backup.Name);
            Console.Out.Flush();
        }
    }

    public static int Restore(string setA, string setB)
    {
        var restorer = new VectorStoreRestorer();
        VectorStoreBackup[] sets = { BackupCatalog.Open(setA), BackupCatalog.Open(setB) };
        for (long i = 0; ; i++)
        {
            VectorStoreBackup set = sets[i % 2];
            restorer.Restore(set, targetFolder: null);
            Console.Out.WriteLine("restored " + set.Name);
            Console.Out.Flush();
        }
    }

    public static int RestoreJob(string set, string store, string job, string step)
    {
        VectorStoreBackup backup = BackupCatalog.Open(set);
        var restorer = new VectorStoreRestorer
        {
            OnStep = at =>
            {
                if (at == step)
                {
                    Console.Out.WriteLine("at " + at);
                    Console.Out.Flush();
                    System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite);
                }
            },
        };
        restorer.Restore(backup, targetFolder: null, JobReconciliation.Prepare(backup, store, job));
        Console.Out.WriteLine("restored " + backup.Name);
        return 0;
    }
}
