using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// LISTEN on a connection of its own for the store's change channel, for one job: a NOTIFY from any host (items
    /// added, a stop, suspend or resume asked) completes the waiting <see cref="NextAsync"/>. When the connection is
    /// lost the listener connects again (every second until it can), and tells of a change, since it may have missed
    /// one; meanwhile the run looks on its timer.
    /// </summary>
    internal sealed class PostgresChangeListener : IJobChangeListener
    {
        private readonly object _gate = new object();
        private readonly string _job;
        private readonly PostgresAddress _address;
        private NpgsqlConnection _connection;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Task _loop;
        private TaskCompletionSource<bool> _next = NewSignal();
        private bool _told;

        public PostgresChangeListener(PostgresAddress address, long jobId)
        {
            _job = jobId.ToString(CultureInfo.InvariantCulture);
            _address = address;
            _connection = PostgresStoreFile.Connect(address);
            Listen(_connection);
            _loop = Task.Run(ListenAsync);
        }

        public Task NextAsync()
        {
            lock (_gate)
            {
                if (_told)
                {
                    _told = false;
                    return Task.CompletedTask;
                }

                return _next.Task;
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // the loop ends by cancellation or by a failed connection; neither matters now
            }

            _connection.Dispose();
            _stop.Dispose();
        }

        private async Task ListenAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await _connection.WaitAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception e) when (e is NpgsqlException || e is BatchOps.Engine.Errors.BatchOpsException || e is InvalidOperationException)
                {
                    await ReconnectAsync().ConfigureAwait(false);
                }
            }
        }

        /// <summary>A new connection listening, once the server answers again; then a change is told (one may have been missed).</summary>
        private async Task ReconnectAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
                    _connection.Dispose();
                    _connection = PostgresStoreFile.Connect(_address);
                    Listen(_connection);
                    Tell();
                    return;
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception e) when (e is NpgsqlException || e is BatchOps.Engine.Errors.BatchOpsException)
                {
                    // still unreachable: try again in a second
                }
            }
        }

        private void Listen(NpgsqlConnection connection)
        {
            connection.Notification += OnNotification;
            using var listen = new NpgsqlCommand("LISTEN " + PostgresSchema.Channel, connection);
            listen.ExecuteNonQuery();
        }

        private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
        {
            if (string.Equals(e.Payload, _job, StringComparison.Ordinal))
            {
                Tell();
            }
        }

        private void Tell()
        {
            TaskCompletionSource<bool> told;
            lock (_gate)
            {
                _told = true;
                told = _next;
                _next = NewSignal();
            }

            told.TrySetResult(true);
        }

        private static TaskCompletionSource<bool> NewSignal() => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
