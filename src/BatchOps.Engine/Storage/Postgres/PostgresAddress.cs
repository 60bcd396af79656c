using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Npgsql;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// Where a PostgreSQL store lives: parsed from a libpq URI (<c>postgresql://user@host:port/db?sslmode=require</c>,
    /// also <c>postgres://</c>) or an Npgsql connection string (<c>Host=db01;Database=batchops;Username=batchops</c>).
    /// A password may come in the string, else Npgsql takes it from PGPASSWORD or the .pgpass file as libpq does.
    /// <see cref="Display"/> is the only form that ever leaves this class in text: it never holds the password.
    /// </summary>
    public sealed class PostgresAddress
    {
        private static readonly string[] UriSchemes = { "postgresql://", "postgres://" };

        // libpq URI parameters and the Npgsql keyword each one sets. Others are refused: silently dropping one
        // (sslmode!) would connect in a way the user did not ask for.
        private static readonly Dictionary<string, string> UriParameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["host"] = "Host",
            ["port"] = "Port",
            ["dbname"] = "Database",
            ["user"] = "Username",
            ["password"] = "Password",
            ["passfile"] = "Passfile",
            ["sslmode"] = "SSL Mode",
            ["sslrootcert"] = "Root Certificate",
            ["sslcert"] = "SSL Certificate",
            ["sslkey"] = "SSL Key",
            ["connect_timeout"] = "Timeout",
            ["application_name"] = "Application Name",
            ["options"] = "Options",
            ["target_session_attrs"] = "Target Session Attributes",
        };

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> KnownPasswords =
            new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);

        private PostgresAddress(NpgsqlConnectionStringBuilder settings)
        {
            Settings = settings;
            Display = MakeDisplay(settings);
        }

        /// <summary>The connection settings, password included when the string had one. Never print them.</summary>
        internal NpgsqlConnectionStringBuilder Settings { get; }

        /// <summary>The store as users see it: <c>postgresql://user@host:port/database</c>, no password.</summary>
        public string Display { get; }

        public override string ToString() => Display;

        /// <summary>True when the store string names a PostgreSQL server (a URI, or a connection string with Host=).</summary>
        public static bool Names(string store)
        {
            if (string.IsNullOrWhiteSpace(store))
            {
                return false;
            }

            string text = store.Trim();
            return UriSchemes.Any(s => text.StartsWith(s, StringComparison.OrdinalIgnoreCase)) || LooksLikeConnectionString(text);
        }

        /// <summary>Parses a store string that <see cref="Names"/> accepted; a malformed one is StoreAddressInvalid.</summary>
        public static PostgresAddress Parse(string store)
        {
            string text = store.Trim();
            NpgsqlConnectionStringBuilder settings = UriSchemes.Any(s => text.StartsWith(s, StringComparison.OrdinalIgnoreCase))
                ? FromUri(text)
                : FromConnectionString(text);
            if (string.IsNullOrEmpty(settings.Database))
            {
                throw Invalid(settings, "names no database");
            }

            if (string.IsNullOrWhiteSpace(settings.Host))
            {
                throw Invalid(settings, "names no host");
            }

            RememberPassword(settings);
            settings.ApplicationName ??= "BatchOps";
            settings.SearchPath = PostgresSchema.Name; // the store's SQL names its tables without the schema
            settings.MaxAutoPrepare = 64; // the hot statements (claim, commit, renew) are prepared on the server
            settings.AutoPrepareMinUsages = 2;
            return new PostgresAddress(settings);
        }

        /// <summary>
        /// A password given in a store string is kept, in this process only, for the same store shown without it: the
        /// objects a command outputs carry the store as shown, and piped to the next command they must still log in.
        /// </summary>
        private static void RememberPassword(NpgsqlConnectionStringBuilder settings)
        {
            string display = MakeDisplay(settings);
            if (!string.IsNullOrEmpty(settings.Password))
            {
                KnownPasswords[display] = settings.Password!;
            }
            else if (KnownPasswords.TryGetValue(display, out string? password))
            {
                settings.Password = password;
            }
        }

        // "Host=db01;Database=x" and the like: key=value pairs, one of them the server (Host or Server).
        private static bool LooksLikeConnectionString(string text) =>
            text.Contains('=') && text.Split(';').Any(part =>
            {
                string key = part.Split('=')[0].Trim();
                return key.Equals("Host", StringComparison.OrdinalIgnoreCase) || key.Equals("Server", StringComparison.OrdinalIgnoreCase);
            });

        private static NpgsqlConnectionStringBuilder FromConnectionString(string text)
        {
            try
            {
                return new NpgsqlConnectionStringBuilder(text);
            }
            catch (ArgumentException e)
            {
                // Npgsql's message names the keyword, never a value, so it cannot carry the password.
                throw new BatchOpsException(ErrorIds.StoreAddressInvalid, BatchOpsErrorCategory.InvalidArgument, $"The PostgreSQL connection string is not valid: {e.Message}", null, null);
            }
        }

        private static NpgsqlConnectionStringBuilder FromUri(string text)
        {
            var settings = new NpgsqlConnectionStringBuilder();
            string rest = text.Substring(text.IndexOf("://", StringComparison.Ordinal) + 3);
            string query = string.Empty;
            int questionMark = rest.IndexOf('?');
            if (questionMark >= 0)
            {
                query = rest.Substring(questionMark + 1);
                rest = rest.Substring(0, questionMark);
            }

            int slash = rest.IndexOf('/');
            string authority = slash >= 0 ? rest.Substring(0, slash) : rest;
            string database = slash >= 0 ? Unescape(rest.Substring(slash + 1)) : string.Empty;
            int at = authority.LastIndexOf('@');
            if (at >= 0)
            {
                string user = authority.Substring(0, at);
                authority = authority.Substring(at + 1);
                int colon = user.IndexOf(':');
                settings.Username = Unescape(colon >= 0 ? user.Substring(0, colon) : user);
                if (colon >= 0)
                {
                    settings.Password = Unescape(user.Substring(colon + 1));
                }
            }

            if (authority.Length > 0)
            {
                SetHosts(settings, Unescape(authority));
            }

            if (database.Length > 0)
            {
                settings.Database = database;
            }

            foreach (string pair in query.Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = pair.IndexOf('=');
                string name = Unescape(equals >= 0 ? pair.Substring(0, equals) : pair);
                string value = equals >= 0 ? Unescape(pair.Substring(equals + 1)) : string.Empty;
                if (!UriParameters.TryGetValue(name, out string? keyword))
                {
                    throw Invalid(settings, $"has the parameter '{name}', which BatchOps does not know (it knows {string.Join(", ", UriParameters.Keys)})");
                }

                try
                {
                    settings[keyword] = keyword == "SSL Mode" ? SslModeWord(value) : value;
                }
                catch (Exception e) when (e is ArgumentException || e is FormatException)
                {
                    throw Invalid(settings, keyword == "Password" ? "has a password parameter Npgsql refuses" : $"has '{name}={value}', which is not a valid value");
                }
            }

            return settings;
        }

        // One "host:port" is split (Npgsql's Port then shows it); a list "h1:5432,h2" is kept, as Npgsql reads it.
        private static void SetHosts(NpgsqlConnectionStringBuilder settings, string hosts)
        {
            int colon = hosts.LastIndexOf(':');
            if (hosts.IndexOf(',') < 0 && colon > 0 && hosts.IndexOf(']') < colon
                && int.TryParse(hosts.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
            {
                settings.Host = hosts.Substring(0, colon).Trim('[', ']');
                settings.Port = port;
                return;
            }

            if (hosts.IndexOf(',') < 0 && colon > 0 && hosts.IndexOf(']') < colon && hosts.IndexOf(':') == colon)
            {
                throw Invalid(settings, $"has the port '{hosts.Substring(colon + 1)}', which is not a number");
            }

            settings.Host = hosts.IndexOf(',') < 0 ? hosts.Trim('[', ']') : hosts;
        }

        // libpq writes verify-ca / verify-full; Npgsql's SslMode names are VerifyCA / VerifyFull.
        private static string SslModeWord(string value) => value.Replace("-", string.Empty);

        private static string Unescape(string text) => Uri.UnescapeDataString(text);

        private static BatchOpsException Invalid(NpgsqlConnectionStringBuilder settings, string problem) =>
            new BatchOpsException(ErrorIds.StoreAddressInvalid, BatchOpsErrorCategory.InvalidArgument, $"The PostgreSQL store '{MakeDisplay(settings)}' {problem}.", MakeDisplay(settings));

        private static string MakeDisplay(NpgsqlConnectionStringBuilder settings)
        {
            var display = new StringBuilder("postgresql://");
            if (!string.IsNullOrEmpty(settings.Username))
            {
                display.Append(Uri.EscapeDataString(settings.Username)).Append('@');
            }

            string host = settings.Host ?? string.Empty;
            display.Append(host.IndexOf(':') >= 0 && host.IndexOf(',') < 0 && !host.StartsWith("[", StringComparison.Ordinal) ? "[" + host + "]" : host);
            if (settings.Port != NpgsqlConnection.DefaultPort && (settings.Host ?? string.Empty).IndexOf(',') < 0)
            {
                display.Append(':').Append(settings.Port.ToString(CultureInfo.InvariantCulture));
            }

            display.Append('/').Append(settings.Database ?? string.Empty);
            return display.ToString();
        }
    }
}
