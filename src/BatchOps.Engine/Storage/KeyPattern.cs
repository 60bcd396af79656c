using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace BatchOps.Engine.Storage
{
    /// <summary>
    /// Turns a PowerShell wildcard (* ? [a-z], with ` as the escape) into a SQLite GLOB, which has the same
    /// wildcards but no escape character: a literal wildcard character is written as a one-character set. For
    /// PostgreSQL, which has no GLOB, the GLOB is turned into a regular expression that matches exactly what SQLite's
    /// GLOB matches (<see cref="ToRegex"/>), so that a key pattern selects the same items on both backends.
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

        /// <summary>
        /// A PostgreSQL regular expression (for <c>key ~ pattern</c>) with the rules of SQLite's GLOB applied to
        /// <see cref="ToGlob"/>'s text: <c>*</c> any characters, <c>?</c> one, <c>[...]</c> one of a set (<c>^</c>
        /// first inverts it, <c>]</c> first is a member, <c>a-z</c> a range of code points), case-sensitive; a set
        /// that is never closed makes the pattern match nothing, as on SQLite. Every other character is written as a
        /// code point escape, so nothing in a key is special to the regular expression.
        /// </summary>
        public static string ToRegex(string pattern)
        {
            int[] glob = CodePoints(ToGlob(pattern));
            var regex = new StringBuilder("^");
            for (int i = 0; i < glob.Length; i++)
            {
                int c = glob[i];
                if (c == '*')
                {
                    regex.Append(".*");
                }
                else if (c == '?')
                {
                    regex.Append('.');
                }
                else if (c == '[')
                {
                    int end = AppendSet(glob, i + 1, regex);
                    if (end < 0)
                    {
                        return NeverMatches;
                    }

                    i = end;
                }
                else
                {
                    AppendLiteral(regex, c);
                }
            }

            return regex.Append('$').ToString();
        }

        /// <summary>Matches only a NUL character, which PostgreSQL text never holds.</summary>
        private const string NeverMatches = "^[^\\u0001-\\U0010ffff]$";

        /// <summary>Appends the set that starts at <paramref name="start"/> (after its '['); returns the index of its ']', or -1 if it is never closed.</summary>
        private static int AppendSet(int[] glob, int start, StringBuilder regex)
        {
            int i = start;
            bool invert = i < glob.Length && glob[i] == '^';
            if (invert)
            {
                i++;
            }

            var members = new StringBuilder();
            if (i < glob.Length && glob[i] == ']')
            {
                AppendLiteral(members, ']');
                i++;
            }

            int prior = 0;
            for (; i < glob.Length && glob[i] != ']'; i++)
            {
                if (glob[i] == '-' && i + 1 < glob.Length && glob[i + 1] != ']' && prior > 0)
                {
                    int high = glob[++i];
                    if (high >= prior)
                    {
                        // The range's low end is already a member; a reversed range adds nothing, as in SQLite.
                        members.Append('-');
                        AppendLiteral(members, high);
                    }

                    prior = 0;
                }
                else
                {
                    AppendLiteral(members, glob[i]);
                    prior = glob[i];
                }
            }

            if (i >= glob.Length)
            {
                return -1;
            }

            regex.Append('[').Append(invert ? "^" : "").Append(members).Append(']');
            return i;
        }

        private static void AppendLiteral(StringBuilder regex, int c)
        {
            if (c < 128 && char.IsLetterOrDigit((char)c))
            {
                regex.Append((char)c);
            }
            else if (c <= 0xFFFF)
            {
                regex.Append("\\u").Append(c.ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                regex.Append("\\U").Append(c.ToString("x8", CultureInfo.InvariantCulture));
            }
        }

        private static int[] CodePoints(string text)
        {
            var points = new List<int>(text.Length);
            for (int i = 0; i < text.Length; i++)
            {
                if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    points.Add(char.ConvertToUtf32(text[i], text[i + 1]));
                    i++;
                }
                else
                {
                    points.Add(text[i]);
                }
            }

            return points.ToArray();
        }
    }
}
