using System;
using System.IO;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Reporting
{
    /// <summary>The file formats results are written in.</summary>
    public enum ResultFormat
    {
        /// <summary>Comma-separated values: a header of columns, one row per item, every field quoted (as Export-Csv).</summary>
        Csv,

        /// <summary>One JSON array of item objects.</summary>
        Json,

        /// <summary>JSON Lines: one item object per line.</summary>
        Jsonl,
    }

    public static class ResultFormats
    {
        /// <summary>The format <paramref name="given"/>, else the one the path's extension names; an error for any other extension.</summary>
        public static ResultFormat For(string path, ResultFormat? given)
        {
            if (given is ResultFormat format)
            {
                return format;
            }

            switch (Path.GetExtension(path).ToLowerInvariant())
            {
                case ".csv":
                    return ResultFormat.Csv;
                case ".json":
                    return ResultFormat.Json;
                case ".jsonl":
                case ".ndjson":
                    return ResultFormat.Jsonl;
                default:
                    throw BatchOpsException.InvalidArgument(
                        ErrorIds.ResultFormatUnknown,
                        $"The results file '{path}' has no extension that names a format (.csv, .json, .jsonl); nothing was written.",
                        path);
            }
        }
    }
}
