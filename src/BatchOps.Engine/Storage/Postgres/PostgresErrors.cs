using System;
using System.IO;
using System.Net.Sockets;
using Npgsql;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// What a PostgreSQL failure means for the user, by SQLSTATE or by cause, as a BatchOps error that names the store
    /// in its redacted form. Npgsql's own messages name hosts, users and databases, never a password.
    /// </summary>
    internal static class PostgresErrors
    {
        public static BatchOpsException Translate(Exception error, PostgresAddress address)
        {
            string store = address.Display;
            string user = address.Settings.Username ?? Environment.UserName;
            switch (error)
            {
                case BatchOpsException known:
                    return known;
                case PostgresException server when server.SqlState == PostgresErrorCodes.InvalidPassword || server.SqlState == PostgresErrorCodes.InvalidAuthorizationSpecification:
                    return new BatchOpsException(ErrorIds.StoreLoginFailed, BatchOpsErrorCategory.PermissionDenied, $"The PostgreSQL server of '{store}' refused the login of user '{user}': {server.MessageText}", store, error);
                case PostgresException server when server.SqlState == PostgresErrorCodes.InvalidCatalogName:
                    return new BatchOpsException(ErrorIds.StoreNotFound, BatchOpsErrorCategory.ObjectNotFound, $"The PostgreSQL server of '{store}' has no database '{address.Settings.Database}'. Nothing was written.", store, error);
                case PostgresException server when server.SqlState == PostgresErrorCodes.InsufficientPrivilege:
                    return new BatchOpsException(ErrorIds.StoreAccessDenied, BatchOpsErrorCategory.PermissionDenied, $"User '{user}' may not do this in '{store}': {server.MessageText}. Nothing was written.", store, error);
                case PostgresException server:
                    return new BatchOpsException(ErrorIds.StoreError, BatchOpsErrorCategory.InvalidOperation, $"The PostgreSQL store '{store}' failed: {server.MessageText} (SQLSTATE {server.SqlState}).", store, error);
                case NpgsqlException npgsql when IsPasswordMissing(npgsql):
                    return new BatchOpsException(ErrorIds.StoreLoginFailed, BatchOpsErrorCategory.PermissionDenied, $"The PostgreSQL server of '{store}' wants a password for user '{user}' and none was given (in the store string, PGPASSWORD or the .pgpass file).", store, error);
                case SocketException _:
                case TimeoutException _:
                    // a host name that does not resolve comes as a bare SocketException
                    return new BatchOpsException(ErrorIds.StoreUnreachable, BatchOpsErrorCategory.ResourceUnavailable, $"Could not reach the PostgreSQL server of '{store}': {error.Message}", store, error);
                case NpgsqlException npgsql when IsUnreachable(npgsql):
                    return new BatchOpsException(ErrorIds.StoreUnreachable, BatchOpsErrorCategory.ResourceUnavailable, $"Could not reach the PostgreSQL server of '{store}': {Innermost(npgsql).Message}", store, error);
                default:
                    return new BatchOpsException(ErrorIds.StoreError, BatchOpsErrorCategory.InvalidOperation, $"The PostgreSQL store '{store}' failed: {error.Message}", store, error);
            }
        }

        private static bool IsPasswordMissing(NpgsqlException error) =>
            error.Message.IndexOf("No password has been provided", StringComparison.OrdinalIgnoreCase) >= 0;

        private static bool IsUnreachable(NpgsqlException error)
        {
            Exception cause = Innermost(error);
            return cause is SocketException || cause is TimeoutException || cause is IOException || error.IsTransient;
        }

        private static Exception Innermost(Exception error)
        {
            while (error.InnerException != null)
            {
                error = error.InnerException;
            }

            return error;
        }
    }
}
