using System;
using System.IO;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Input
{
    /// <summary>
    /// What is stored as an item's payload: for a string, the string; for a file or folder, its full path marked as
    /// such (<see cref="FileSystemPayload"/>); for other
    /// objects, their properties as JSON. The processor gets the same payload on every run, resumed or not.
    /// </summary>
    public static class ItemPayloads
    {
        /// <summary>Payloads larger than this are refused: they belong in a file the payload points to.</summary>
        public const int MaxLength = 1024 * 1024;

        /// <param name="input">The input object.</param>
        /// <param name="key">Its key, which errors name.</param>
        public static string FromInput(IInputObject input, string? key = null)
        {
            string json;
            try
            {
                json = input.BaseObject switch
                {
                    null => "null",
                    string text => PayloadJson.FromText(text),
                    FileSystemInfo file => FileSystemPayload.Write(file.FullName),
                    _ => PayloadJson.Write(input.ToPayloadTree()),
                };
            }
            catch (BatchOpsException e) when (e.ErrorId == ErrorIds.PayloadNotSerializable && key != null)
            {
                throw new BatchOpsException(e.ErrorId, e.Category, $"Item '{Printable.Text(key)}': {e.Message}", input.BaseObject, e);
            }

            if (json.Length > MaxLength)
            {
                throw new BatchOpsException(
                    ErrorIds.PayloadNotSerializable,
                    BatchOpsErrorCategory.InvalidArgument,
                    $"The data of {(key == null ? "an input object" : "item '" + Printable.Text(key) + "'")} is {json.Length:N0} characters as JSON; the limit is {MaxLength:N0}.",
                    input.BaseObject);
            }

            return json;
        }
    }
}
