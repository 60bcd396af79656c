using BatchOps.Engine.Storage.Postgres;
using Xunit;
using BatchOps.Engine.Errors;

namespace BatchOps.Engine.Tests.Postgres;

public class PostgresAddressTests
{
    [Theory]
    [InlineData("postgresql://batchops@db01/batchops", true)]
    [InlineData("POSTGRES://db01/x", true)]
    [InlineData("Host=db01;Database=batchops;Username=batchops", true)]
    [InlineData("server=db01;database=b", true)]
    [InlineData("batchops.db", false)]
    [InlineData("/var/lib/jobs/store.db", false)]
    [InlineData("C:\\jobs\\a=b.db", false)]
    public void Names_tells_a_server_from_a_file(string store, bool server) =>
        Assert.Equal(server, PostgresAddress.Names(store));

    [Fact]
    public void A_uri_becomes_settings_and_its_display_has_no_password()
    {
        PostgresAddress address = PostgresAddress.Parse("postgresql://batch%40ops:s3cr%2Ft@db01:6543/jobs?sslmode=verify-full&application_name=nightly");

        Assert.Equal("batch@ops", address.Settings.Username);
        Assert.Equal("s3cr/t", address.Settings.Password);
        Assert.Equal("db01", address.Settings.Host);
        Assert.Equal(6543, address.Settings.Port);
        Assert.Equal("jobs", address.Settings.Database);
        Assert.Equal(Npgsql.SslMode.VerifyFull, address.Settings.SslMode);
        Assert.Equal("nightly", address.Settings.ApplicationName);
        Assert.Equal("postgresql://batch%40ops@db01:6543/jobs", address.Display);
        Assert.DoesNotContain("s3cr", address.ToString());
    }

    [Fact]
    public void A_connection_string_shows_as_the_same_uri_without_its_password()
    {
        PostgresAddress address = PostgresAddress.Parse("Host=db01;Database=batchops;Username=batchops;Password=hunter2");

        Assert.Equal("postgresql://batchops@db01/batchops", address.Display);
        Assert.Equal("hunter2", address.Settings.Password);
        Assert.Equal("BatchOps", address.Settings.ApplicationName);
    }

    [Fact]
    public void An_ipv6_host_is_shown_in_brackets()
    {
        PostgresAddress address = PostgresAddress.Parse("postgresql://u@[::1]:5433/db");

        Assert.Equal("::1", address.Settings.Host);
        Assert.Equal(5433, address.Settings.Port);
        Assert.Equal("postgresql://u@[::1]:5433/db", address.Display);
    }

    [Fact]
    public void A_unix_socket_folder_comes_from_the_host_parameter()
    {
        PostgresAddress address = PostgresAddress.Parse("postgresql:///batchops?host=/var/run/postgresql");

        Assert.Equal("/var/run/postgresql", address.Settings.Host);
        Assert.Equal("batchops", address.Settings.Database);
    }

    [Theory]
    [InlineData("postgresql://u:pw-in-uri@db01/", "names no database")]
    [InlineData("postgresql://u:pw-in-uri@db01/x?sslmod=require", "sslmod")]
    [InlineData("postgresql://u:pw-in-uri@db01/x?port=many", "port=many")]
    [InlineData("postgresql://u:pw-in-uri@127.0.0.1:notaport/db", "'notaport', which is not a number")]
    [InlineData("postgresql://u:pw-in-uri@/db", "names no host")]
    public void A_malformed_uri_is_StoreAddressInvalid_and_never_shows_the_password(string store, string named)
    {
        BatchOpsException error = Assert.Throws<BatchOpsException>(() => PostgresAddress.Parse(store));

        Assert.Equal(ErrorIds.StoreAddressInvalid, error.ErrorId);
        Assert.Contains(named, error.Message);
        Assert.DoesNotContain("pw-in-uri", error.Message);
    }

    [Fact]
    public void A_bad_connection_string_keyword_is_StoreAddressInvalid_without_values()
    {
        BatchOpsException error = Assert.Throws<BatchOpsException>(() => PostgresAddress.Parse("Host=db01;Database=x;Password=topsecret;Colour=blue"));

        Assert.Equal(ErrorIds.StoreAddressInvalid, error.ErrorId);
        Assert.DoesNotContain("topsecret", error.Message);
    }
}
