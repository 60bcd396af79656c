using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using BatchOps.Engine;
using BatchOps.Engine.Input;

namespace BatchOps.Infrastructure
{
    /// <summary>A pipeline input object as the engine's key and payload rules see it.</summary>
    internal sealed class PSInputObject : IInputObject
    {
        private readonly PSObject _object;

        public PSInputObject(PSObject inputObject)
        {
            _object = inputObject;
        }

        public object? BaseObject => _object.BaseObject;

        public string TypeName => _object.TypeNames.Count > 0 ? _object.TypeNames[0] : _object.BaseObject?.GetType().FullName ?? "null";

        public IReadOnlyList<string> PropertyNames => _object.BaseObject is IDictionary dictionary
            ? dictionary.Keys.Cast<object>().Select(k => k.ToString()).ToList()
            : _object.Properties.Select(p => p.Name).ToList();

        public bool TryGetProperty(string name, out object? value)
        {
            value = null;
            if (_object.BaseObject is IDictionary dictionary)
            {
                // A hashtable's keys are its properties, as they are to Select-Object and Format-Table.
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (string.Equals(entry.Key?.ToString(), name, StringComparison.OrdinalIgnoreCase))
                    {
                        value = PSValue.Unwrap(entry.Value);
                        return true;
                    }
                }

                return false;
            }

            PSPropertyInfo? property = _object.Properties[name];
            if (property == null)
            {
                return false;
            }

            try
            {
                value = PSValue.Unwrap(property.Value);
            }
            catch (Exception e) when (e is GetValueException || e is ExtendedTypeSystemException)
            {
                value = null;
            }

            return true;
        }

        public object? ToPayloadTree() => PowerShellValues.ToPayloadTree(_object);
    }
}
