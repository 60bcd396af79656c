using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace BatchOps.Processing
{
    /// <summary>
    /// Gives a script block's $using:name references their values from the caller's session, as ForEach-Object
    /// -Parallel does: each becomes a variable of its own in the runspaces that run the block, set to the value the
    /// caller had when the run started.
    /// </summary>
    internal static class UsingVariables
    {
        private const string Prefix = "__BatchOpsUsing_";

        /// <summary>The block's text with $using:x written as $__BatchOpsUsing_x, and the values to define.</summary>
        public static (string Script, Hashtable Values) Rewrite(ScriptBlock block, SessionState caller)
        {
            var values = new Hashtable();
            List<UsingExpressionAst> usings = block.Ast.FindAll(a => a is UsingExpressionAst, searchNestedScriptBlocks: true)
                .Cast<UsingExpressionAst>()
                .OrderByDescending(u => u.Extent.StartOffset)
                .ToList();
            string text = block.Ast.Extent.Text;
            if (usings.Count == 0)
            {
                return (block.ToString(), values);
            }

            int origin = block.Ast.Extent.StartOffset;
            var rewritten = new StringBuilder(text);
            foreach (UsingExpressionAst use in usings)
            {
                // $using:name, $using:name[1] and $using:name.Property all start with the variable $using:name.
                var variable = use.Find(a => a is VariableExpressionAst v && v.Extent.StartOffset == use.Extent.StartOffset, searchNestedScriptBlocks: false) as VariableExpressionAst;
                if (variable == null)
                {
                    throw new PSArgumentException($"'{use.Extent.Text}' is not supported in a BatchOps script block: use $using: with a variable, or pass the value with -Variable.");
                }

                string path = variable.VariablePath.UserPath; // "using:name"
                string name = path.Substring(path.IndexOf(':') + 1);
                values[Prefix + name] = caller.PSVariable.GetValue(name);
                rewritten.Remove(variable.Extent.StartOffset - origin, variable.Extent.EndOffset - variable.Extent.StartOffset);
                rewritten.Insert(variable.Extent.StartOffset - origin, "$" + Prefix + name);
            }

            // The extent of a script block literal includes its braces; the runspaces want only what is inside.
            string script = rewritten.ToString();
            if (block.Ast is ScriptBlockAst && script.StartsWith("{") && script.EndsWith("}") && block.ToString() != text)
            {
                script = script.Substring(1, script.Length - 2);
            }

            return (script, values);
        }
    }
}
