using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace BatchOps.Engine.Storage.Postgres
{
    /// <summary>
    /// LISTEN on a connection of its own for the store's change channel, for one job: a NOTIFY from any host (items
    /// added, a stop, suspend or resume asked) completes the waiting <see cref="NextAsync"/>. When the connection
    /// fails the listener goes quiet, and the run is back to looking on its timer.
    /// </summary>
    internal sealed class PostgresChangeListener : IJobChangeListener
    {
        private readonly object _gate = new object();
        private readonly string _job;
        private readonly NpgsqlConnection _connection;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Task _loop;
        private TaskCompletionSource<bool> _next = NewSignal();
        private bool _told;

        public PostgresChangeListener(PostgresAddress address, long jobId)
        {
            _job = jobId.ToString(CultureInfo.InvariantCulture);
            _connection = PostgresStoreFile.Connect(address);
            _connection.Notification += OnNotification;
            using (var listen = new NpgsqlCommand("LISTEN " + PostgresSchema.Channel, _connection))
            {
                listen.ExecuteNonQuery();
            }

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
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await _connection.WaitAsync(_stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (NpgsqlException)
            {
                // the server went away: the run looks on its timer from now on
            }
        }

        private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
        {
            if (!string.Equals(e.Payload, _job, StringComparison.Ordinal))
            {
                return;
            }

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
