using System;
using System.IO;
using System.Linq;
using Microsoft.Data.Sqlite;

namespace BatchOps.Engine.Tests;

/// <summary>Vector-store files the backup tests write themselves, in the formats the backup reads.</summary>
internal static class BackupFiles
{
    /// <summary>
    /// A FAISS float index as faiss.write_index lays it out: type code, int32 d, int64 ntotal, two int64 1&lt;&lt;20,
    /// uint8 is_trained, int32 metric_type, then (for IndexFlat) the vectors as int64 count + floats.
    /// </summary>
    public static void WriteFaissFlat(string path, int dimension, long vectors, string typeCode = "IxF2")
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(System.Text.Encoding.ASCII.GetBytes(typeCode));
        writer.Write(dimension);
        writer.Write(vectors);
        writer.Write(1L << 20);
        writer.Write(1L << 20);
        writer.Write((byte)1);
        writer.Write(1); // METRIC_L2
        writer.Write(vectors * dimension);
        for (long i = 0; i < vectors * dimension; i++)
        {
            writer.Write((float)i);
        }
    }

    /// <summary>A binary FAISS index header ("IBxF"): int32 d, int32 code_size, int64 ntotal, ...</summary>
    public static void WriteFaissBinary(string path, int dimension, long vectors)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(System.Text.Encoding.ASCII.GetBytes("IBxF"));
        writer.Write(dimension);
        writer.Write(dimension / 8);
        writer.Write(vectors);
        writer.Write((byte)1);
        writer.Write(new byte[vectors * (dimension / 8)]);
    }

    /// <summary>A stand-in for document_data.pkl: bytes that are no known format.</summary>
    public static void WriteOpaque(string path, int length, byte seed = 7) =>
        File.WriteAllBytes(path, Enumerable.Range(0, length).Select(i => (byte)(i * 31 + seed)).ToArray());

    public static SqliteConnection OpenSqlite(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static long Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }

    /// <summary>Every file below a folder (or the file itself) with its content, for whole-store comparisons.</summary>
    public static string Fingerprint(string path)
    {
        if (File.Exists(path))
        {
            return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        }

        if (!Directory.Exists(path))
        {
            return "<missing>";
        }

        return string.Join(";", Directory.GetFiles(path, "*", SearchOption.AllDirectories)
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => Path.GetRelativePath(path, f) + "=" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))));
    }
}
