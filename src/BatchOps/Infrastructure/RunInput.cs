using System;
using System.Management.Automation;

namespace BatchOps.Infrastructure
{
    /// <summary>What one object piped into Start-BatchRun means.</summary>
    internal enum RunInputKind
    {
        /// <summary>Data to add as an item of the job.</summary>
        NewItem,

        /// <summary>A BatchOps object that names a job (BatchJob, a run summary, a checkpoint): run that job.</summary>
        JobReference,

        /// <summary>A BatchItem: run exactly this item of its job.</summary>
        ChosenItem,

        /// <summary>A BatchOps object that names no job (a backup, a health sample): not something to run.</summary>
        Unusable,
    }

    /// <summary>
    /// Sorts piped objects: BatchOps' own objects select a job or an item and never become items themselves. Read
    /// through the PowerShell wrapper, so objects that come back deserialized (Receive-Job, remoting) work too.
    /// </summary>
    internal sealed class RunInput
    {
        private const string Prefix = "BatchOps.";
        private const string Deserialized = "Deserialized.BatchOps.";

        private RunInput(RunInputKind kind, string? job = null, string? key = null, string? store = null, string? typeName = null)
        {
            Kind = kind;
            Job = job;
            Key = key;
            Store = store;
            TypeName = typeName;
        }

        public RunInputKind Kind { get; }

        public string? Job { get; }

        public string? Key { get; }

        /// <summary>The store the object came from (a full path), if it says.</summary>
        public string? Store { get; }

        public string? TypeName { get; }

        public static RunInput Of(PSObject? input)
        {
            string? type = BatchOpsTypeName(input);
            if (type == null)
            {
                return new RunInput(RunInputKind.NewItem);
            }

            string? store = Text(input!, "Store");
            switch (type)
            {
                case "BatchOps.BatchItem" when Text(input!, "Job") is string job && Text(input!, "Key") is string key:
                    return new RunInput(RunInputKind.ChosenItem, job, key, store, type);
                case "BatchOps.BatchJob" when Text(input!, "Name") is string name:
                    return new RunInput(RunInputKind.JobReference, name, null, store, type);
            }

            return Text(input!, "Job") is string named
                ? new RunInput(RunInputKind.JobReference, named, null, store, type)
                : new RunInput(RunInputKind.Unusable, typeName: type);
        }

        /// <summary>BatchOps.X for the module's own objects (live or deserialized), else null.</summary>
        private static string? BatchOpsTypeName(PSObject? input)
        {
            if (input == null)
            {
                return null;
            }

            Type? type = input.BaseObject?.GetType();
            if (type != null && (type.Namespace == "BatchOps" || (type.Namespace?.StartsWith(Prefix, StringComparison.Ordinal) ?? false)))
            {
                return Prefix + type.Name;
            }

            foreach (string name in input.TypeNames)
            {
                if (name.StartsWith(Deserialized, StringComparison.Ordinal))
                {
                    string rest = name.Substring(Deserialized.Length);
                    return Prefix + rest.Substring(rest.LastIndexOf('.') + 1);
                }
            }

            return null;
        }

        private static string? Text(PSObject input, string property)
        {
            object? value = input.Properties[property]?.Value;
            value = PSValue.Unwrap(value);
            return value is string text && text.Length > 0 ? text : null;
        }
    }
}
