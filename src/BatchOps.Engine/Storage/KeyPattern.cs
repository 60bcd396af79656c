using System.Text;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Turns a PowerShell wildcard (* ? [a-z], with ` as the escape) into a SQLite GLOB, which has the same
    /// wildcards but no escape character: a literal wildcard character is written as a one-character set.
    /// </summary>
    internal static class KeyPattern
    {
        public static bool HasWildcards(string pattern)
        {
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '`')
                {
                    i++;
                    continue;
                }

                if (c == '*' || c == '?' || c == '[')
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The key a pattern without wildcards stands for (escapes removed).</summary>
        public static string Unescape(string pattern)
        {
            var text = new StringBuilder(pattern.Length);
            for (int i = 0; i < pattern.Length; i++)
            {
                if (pattern[i] == '`' && i + 1 < pattern.Length)
                {
                    i++;
                }

                text.Append(pattern[i]);
            }

            return text.ToString();
        }

        public static string ToGlob(string pattern)
        {
            var glob = new StringBuilder(pattern.Length + 8);
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '`' && i + 1 < pattern.Length)
                {
                    char literal = pattern[++i];
                    glob.Append(literal == '*' || literal == '?' || literal == '[' || literal == ']' ? "[" + literal + "]" : literal.ToString());
                }
                else
                {
                    glob.Append(c);
                }
            }

            return glob.ToString();
        }
    }
}
