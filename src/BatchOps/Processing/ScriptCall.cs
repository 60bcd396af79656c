using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.ComponentModel;
using System.Management.Automation;
using System.Threading.Tasks;

namespace BatchOps.Processing
{
    /// <summary>
    /// One item handed to a <see cref="RunspaceWorker"/>'s loop and what the block did with it. The loop script reads
    /// and fills it, so it is public (PowerShell calls only public members of public types); users never meet it.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class ScriptCall
    {
        internal ScriptCall(object? payload, PSObject info, string location, string fileSystemPath)
        {
            Payload = payload;
            Info = info;
            Location = location;
            FileSystemPath = fileSystemPath;
        }

        /// <summary>$_ for the block (null when <see cref="FileSystemPath"/> says which file to read).</summary>
        public object? Payload { get; }

        /// <summary>$BatchItem for the block.</summary>
        public PSObject Info { get; }

        /// <summary>The folder the block runs in.</summary>
        public string Location { get; }

        /// <summary>An item made from a file or folder: the path its FileInfo/DirectoryInfo is read from again.</summary>
        public string FileSystemPath { get; }

        /// <summary>What the block wrote to the output stream.</summary>
        public Collection<PSObject>? Output { get; set; }

        /// <summary>$LASTEXITCODE after the block: a native program it ran last ended with this code.</summary>
        public int ExitCode { get; set; }

        /// <summary>The terminating error that ended the block, if one did.</summary>
        public ErrorRecord? Failure { get; set; }

        /// <summary>The non-terminating errors the block wrote, taken from the loop's error stream when it finished.</summary>
        internal IReadOnlyList<ErrorRecord> Errors { get; set; } = new ErrorRecord[0];

        // Continuations run inline on the loop's thread when the item is done: the worker records the outcome and hands
        // this runspace its next item without a thread switch (two switches per item cost more than the item itself).
        internal TaskCompletionSource<ScriptCall> Completion { get; } = new TaskCompletionSource<ScriptCall>();
    }
}
