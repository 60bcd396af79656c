using System.Globalization;
using System.Text;

namespace BatchOps
{
    /// <summary>
    /// A value as a message quotes it: control characters written as escapes (\t, \n, \u001B), so that a name or key
    /// holding them can neither break a log line nor drive the terminal, and long text cut to its start and length.
    /// </summary>
    public static class Printable
    {
        public const int MaxShown = 60;

        public static string Text(string? value)
        {
            if (value == null)
            {
                return "$null";
            }

            var text = new StringBuilder();
            int shown = 0;
            foreach (char c in value)
            {
                if (shown++ == MaxShown)
                {
                    text.Append("... (").Append(value.Length.ToString("N0", CultureInfo.InvariantCulture)).Append(" characters)");
                    break;
                }

                switch (c)
                {
                    case '\t':
                        text.Append("\\t");
                        break;
                    case '\n':
                        text.Append("\\n");
                        break;
                    case '\r':
                        text.Append("\\r");
                        break;
                    default:
                        if (char.IsControl(c))
                        {
                            text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            text.Append(c);
                        }

                        break;
                }
            }

            return text.ToString();
        }

        /// <summary>The first control character in the text, described (U+0007 at position 5), or null.</summary>
        public static string? FirstControl(string value)
        {
            for (int i = 0; i < value.Length; i++)
            {
                if (char.IsControl(value[i]))
                {
                    return string.Format(CultureInfo.InvariantCulture, "a control character (U+{0:X4}) at position {1}", (int)value[i], i + 1);
                }
            }

            return null;
        }
    }
}
