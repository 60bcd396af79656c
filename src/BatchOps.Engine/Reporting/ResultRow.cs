using System;
using System.Collections.Generic;

namespace BatchOps.Engine.Reporting
{
    /// <summary>One value of a result row. <see cref="IsJson"/>: a nested object or array, held as JSON text.</summary>
    public readonly struct ResultCell
    {
        public ResultCell(string name, object? value, bool isJson = false)
        {
            Name = name;
            Value = value;
            IsJson = isJson;
        }

        public string Name { get; }

        public object? Value { get; }

        public bool IsJson { get; }
    }

    /// <summary>
    /// The one rule for what a result looks like as a row, shared by Get-BatchResult, Export-BatchResult and the
    /// per-batch files of Start-BatchRun -ResultPath: the fixed columns (Key, Status, Attempts, Finished, Run, Batch,
    /// Error), then the fields of a JSON-object result as columns of their own (a field named like a fixed column is
    /// written Result&lt;Name&gt;; names are compared ignoring case, as PowerShell does, and a repeated name keeps its first
    /// value), or, for any other result, its text in a Result column.
    /// </summary>
    public static class ResultRow
    {
        public const string TextColumn = "Result";

        public static readonly IReadOnlyList<string> FixedColumns = new[] { "Key", "Status", "Attempts", "Finished", "Run", "Batch", "Error" };

        private static readonly HashSet<string> Reserved = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Key", "Status", "Attempts", "Finished", "Run", "Batch", "Error", TextColumn,
        };

        /// <summary>The column a result field is written under.</summary>
        public static string ColumnOf(string field) => Reserved.Contains(field) ? TextColumn + field : field;

        /// <summary>The row of an item: the fixed cells first, then the result's.</summary>
        public static IReadOnlyList<ResultCell> Of(BatchItem item)
        {
            var cells = new List<ResultCell>(FixedColumns.Count + 4)
            {
                new ResultCell("Key", item.Key),
                new ResultCell("Status", item.Status.ToString()),
                new ResultCell("Attempts", item.Attempts),
                new ResultCell("Finished", item.Finished),
                new ResultCell("Run", item.RunId),
                new ResultCell("Batch", item.Batch),
                new ResultCell("Error", item.LastError),
            };
            cells.AddRange(ResultCells(item.Result));
            return cells;
        }

        /// <summary>The result's own cells: its fields (renamed and de-duplicated), or one Result cell with its text.</summary>
        public static IReadOnlyList<ResultCell> ResultCells(string? result)
        {
            IReadOnlyList<ResultCell>? fields = ResultFields.Detailed(result);
            if (fields == null)
            {
                return new[] { new ResultCell(TextColumn, result) };
            }

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var cells = new List<ResultCell>(fields.Count);
            foreach (ResultCell field in fields)
            {
                string name = ColumnOf(field.Name);
                if (seen.Add(name))
                {
                    cells.Add(new ResultCell(name, field.Value, field.IsJson));
                }
            }

            return cells;
        }
    }
}
