using System;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using BatchOps.Engine.Processing;
using BatchOps.Engine.Storage;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace BatchOps.Engine.Running
{
    /// <summary>
    /// Runs one item to its outcome: rate limit, per-attempt timeout, and retries with exponential backoff and
    /// jitter (Polly). The retry limit counts attempts across runs: an item that failed twice in an earlier run has
    /// that many fewer retries left. A failure that reads as rate limiting (HTTP 429) closes the shared
    /// <see cref="RateLimitGate"/> for every worker and is tried again after the pause without counting as an
    /// attempt; a circuit breaker (Polly, optional) watches the failure ratio of attempts.
    /// </summary>
    internal sealed class ItemExecutor
    {
        private readonly IItemProcessor _processor;
        private readonly RunOptions _options;
        private readonly RateLimiter? _limiter;
        private readonly string _job;
        private readonly long _runId;
        private readonly Action<WorkUnit, ItemRetry> _onRetry;
        private readonly ResiliencePipeline<ItemResult> _retry;
        private readonly ResiliencePipeline _timeout;
        private readonly ResiliencePipeline<ItemResult> _breaker;
        private readonly RateLimitGate _gate;
        private readonly Action<RateLimitHit>? _onRateLimited;
        private readonly int _maxAttempts;
        private readonly Func<long> _nowMs; // the store's clock, for when an item started and finished
        private readonly TimeProvider _time;
        private readonly bool _direct; // no timeout and no breaker: an attempt calls the processor directly

        public ItemExecutor(IItemProcessor processor, RunOptions options, RateLimiter? limiter, string job, long runId, TimeProvider time, Func<long> nowMs, Action<WorkUnit, ItemRetry> onRetry, Action<RateLimitHit>? onRateLimited = null, Action<string>? onCircuitOpened = null)
        {
            _nowMs = nowMs;
            _time = time;
            _gate = new RateLimitGate(time, options.RateLimitWait, options.MaxRetryDelay);
            _onRateLimited = onRateLimited;
            _processor = processor;
            _options = options;
            _limiter = limiter;
            _job = job;
            _runId = runId;
            _onRetry = onRetry;
            _maxAttempts = options.RetryLimit + 1;

            var retry = new ResiliencePipelineBuilder<ItemResult> { TimeProvider = time };
            if (options.RetryLimit > 0)
            {
                retry.AddRetry(new RetryStrategyOptions<ItemResult>
                {
                    // The limit is per item (attempts made by earlier runs count), so the predicate decides, not a count.
                    MaxRetryAttempts = int.MaxValue,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryDelay,
                    MaxDelay = options.MaxRetryDelay,
                    ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args)),
                    OnRetry = args =>
                    {
                        WorkUnit unit = args.Context.Properties.GetValue(UnitKey, null!);
                        (string error, string? type) = Describe(args.Outcome);
                        _onRetry(unit, new ItemRetry
                        {
                            ItemId = unit.Item.Id,
                            LeaseToken = unit.Item.LeaseToken,
                            Key = unit.Item.Key,
                            Attempt = unit.Attempt,
                            Error = error,
                            ErrorType = type,
                            ErrorDetail = args.Outcome.Result?.Detail,
                        });
                        return default;
                    },
                });
            }

            _retry = retry.Build();

            var timeout = new ResiliencePipelineBuilder { TimeProvider = time };
            if (options.ItemTimeout is TimeSpan itemTimeout)
            {
                timeout.AddTimeout(itemTimeout);
            }

            _timeout = timeout.Build();

            var breaker = new ResiliencePipelineBuilder<ItemResult> { TimeProvider = time };
            if (options.MaxFailureRatio is double ratio)
            {
                breaker.AddCircuitBreaker(new CircuitBreakerStrategyOptions<ItemResult>
                {
                    FailureRatio = ratio,
                    MinimumThroughput = options.FailureMinimumThroughput,
                    SamplingDuration = options.FailureSamplingDuration,
                    BreakDuration = TimeSpan.FromDays(1), // the run stops when it opens; it never half-opens
                    ShouldHandle = args => new ValueTask<bool>(CountsAsFailure(args.Outcome)),
                    OnOpened = args =>
                    {
                        string ratioText = ratio.ToString("P0", CultureInfo.InvariantCulture);
                        onCircuitOpened?.Invoke($"More than {ratioText} of at least {options.FailureMinimumThroughput} attempts within {options.FailureSamplingDuration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s failed (failure ratio limit {ratio.ToString(CultureInfo.InvariantCulture)}); the run stops and leaves the remaining items pending.");
                        return default;
                    },
                });
            }

            _breaker = breaker.Build();
            _direct = options.ItemTimeout == null && options.MaxFailureRatio == null;
        }

        /// <summary>The gate every worker passes before an attempt (the dispatcher waits on it too).</summary>
        public RateLimitGate Gate => _gate;

        private static bool CountsAsFailure(Outcome<ItemResult> outcome)
        {
            if (outcome.Exception != null)
            {
                return !(outcome.Exception is OperationCanceledException) && !RateLimitSignal.IsRateLimit(outcome.Exception, out _);
            }

            return outcome.Result != null && !outcome.Result.Succeeded && !IsRateLimited(outcome.Result, out _);
        }

        private static bool IsRateLimited(ItemResult result, out TimeSpan? retryAfter)
        {
            retryAfter = result.RetryAfter;
            if (result.IsRateLimited)
            {
                return true;
            }

            return !result.Succeeded && RateLimitSignal.IsRateLimitText(result.Error, out retryAfter);
        }

        private static readonly ResiliencePropertyKey<WorkUnit> UnitKey = new ResiliencePropertyKey<WorkUnit>("BatchOps.WorkUnit");

        private bool ShouldRetry(RetryPredicateArguments<ItemResult> args)
        {
            if (args.Context.CancellationToken.IsCancellationRequested)
            {
                return false; // stopping: the item is released, not retried
            }

            if (args.Outcome.Exception is BrokenCircuitException || args.Outcome.Exception is ReleasedWhileWaitingException)
            {
                return false; // the run is stopping: the item is released, not retried
            }

            bool failed = args.Outcome.Exception != null || args.Outcome.Result?.Succeeded == false;
            WorkUnit unit = args.Context.Properties.GetValue(UnitKey, null!);
            return failed && unit.Attempt < _maxAttempts;
        }

        /// <summary>Processes the item; returns its outcome. Never throws for the item's own failures.</summary>
        /// <param name="unit">The item.</param>
        /// <param name="stopToken">Cancels what is in flight (Ctrl+C): the item is released.</param>
        /// <param name="releaseToken">A graceful stop: an item still waiting out a rate-limit pause is released unstarted.</param>
        public async Task<ItemOutcome> ExecuteAsync(WorkUnit unit, CancellationToken stopToken, CancellationToken releaseToken = default)
        {
            unit.ReleaseToken = releaseToken;
            long clock = Stopwatch.GetTimestamp(); // no Stopwatch object per item
            ResilienceContext context = ResilienceContextPool.Shared.Get(stopToken);
            context.Properties.Set(UnitKey, unit);
            try
            {
                ItemResult result = await _retry.ExecuteAsync(
                    (ctx, state) => state.AttemptAsync(ctx),
                    context,
                    new AttemptState(this, unit)).ConfigureAwait(false);
                return result.Succeeded
                    ? Outcome(unit, OutcomeKind.Succeeded, clock, result: Cap(result.Output))
                    : Outcome(unit, OutcomeKind.Failed, clock, result: Cap(result.Output), error: result.Error ?? "The processor reported a failure.", errorType: result.ErrorType, errorDetail: result.Detail);
            }
            catch (ReleasedWhileWaitingException)
            {
                // Stopped or suspended while every worker waited out a rate limit: the attempt never ran.
                unit.ReleasedAtGate = true;
                return Outcome(unit, OutcomeKind.Released, clock, undoAttempt: true);
            }
            catch (BrokenCircuitException)
            {
                // The breaker opened and the run is stopping: this attempt never ran, so the item goes back as it was.
                return Outcome(unit, OutcomeKind.Released, clock, undoAttempt: true);
            }
            catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
            {
                // Stopped by the user: the item goes back to pending and the interrupted attempt is not held against it.
                return Outcome(unit, OutcomeKind.Released, clock, undoAttempt: true);
            }
            catch (Exception e)
            {
                (string error, string? type) = Describe(Polly.Outcome.FromException<ItemResult>(e));
                return Outcome(unit, OutcomeKind.Failed, clock, error: error, errorType: type);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        private readonly struct AttemptState
        {
            private readonly ItemExecutor _executor;
            private readonly WorkUnit _unit;

            public AttemptState(ItemExecutor executor, WorkUnit unit)
            {
                _executor = executor;
                _unit = unit;
            }

            public ValueTask<ItemResult> AttemptAsync(ResilienceContext context) => _executor.AttemptAsync(_unit, context);
        }

        private async ValueTask<ItemResult> AttemptAsync(WorkUnit unit, ResilienceContext context)
        {
            if (unit.Started)
            {
                unit.Attempt++; // a retry; the claim counted the first
            }

            while (true)
            {
                await WaitOutRateLimitAsync(unit, context.CancellationToken).ConfigureAwait(false);
                if (_limiter != null)
                {
                    using RateLimitLease lease = await _limiter.AcquireAsync(1, context.CancellationToken).ConfigureAwait(false);
                    if (!lease.IsAcquired)
                    {
                        return ItemResult.Failure("The rate limiter refused the attempt.", "RateLimiterRefused");
                    }
                }

                // A stop (Ctrl+C) that came while the item waited its turn: it never starts, and goes back to the queue.
                context.CancellationToken.ThrowIfCancellationRequested();
                unit.Started = true;
                unit.StartedMs ??= _nowMs();
                var item = new ItemContext
                {
                    Job = _job,
                    RunId = _runId,
                    Key = unit.Item.Key,
                    Payload = unit.Item.Payload,
                    Attempt = unit.Attempt,
                    Worker = unit.Worker,
                };

                ItemResult result;
                TimeSpan? retryAfter;
                try
                {
                    // With neither a per-attempt timeout nor a failure-ratio breaker, both pipelines are empty (they pass
                    // the call through unchanged): the processor is called directly, sparing two pipeline hops per item.
                    result = _direct
                        ? await _processor.ProcessAsync(item, context.CancellationToken).ConfigureAwait(false)
                        : await _breaker.ExecuteAsync(
                        (ctx, state) => state.Timeout.ExecuteAsync(
                            (inner, s) => new ValueTask<ItemResult>(s.Processor.ProcessAsync(s.Item, inner.CancellationToken)),
                            ctx,
                            (state.Processor, state.Item)),
                        context,
                        (Timeout: _timeout, Processor: _processor, Item: item)).ConfigureAwait(false);
                }
                catch (Exception e) when (!(e is OperationCanceledException) && !(e is BrokenCircuitException) && unit.RateLimitPauses < _options.MaxRateLimitPausesPerItem && RateLimitSignal.IsRateLimit(e, out retryAfter))
                {
                    result = ItemResult.RateLimited(e.Message, retryAfter);
                }

                if (result.Succeeded)
                {
                    _gate.NoteSuccess();
                    return result;
                }

                await InterruptGrace.AwaitStopAsync(result, _time, context.CancellationToken).ConfigureAwait(false);

                if (!IsRateLimited(result, out retryAfter) || unit.RateLimitPauses >= _options.MaxRateLimitPausesPerItem || context.CancellationToken.IsCancellationRequested)
                {
                    return result;
                }

                // Every worker waits, and this item is tried again after the pause as the same attempt.
                unit.RateLimitPauses++;
                TimeSpan wait = _gate.Close(retryAfter);
                _onRateLimited?.Invoke(new RateLimitHit(unit, result.Error ?? "Rate limited.", wait, retryAfter.HasValue));
            }
        }

        // A graceful stop does not wait for the end of a rate-limit pause (up to minutes): the item goes back unstarted.
        private async Task WaitOutRateLimitAsync(WorkUnit unit, CancellationToken stopToken)
        {
            if (!_gate.IsClosed)
            {
                return; // the common case: one lock-free read per attempt
            }

            if (!unit.ReleaseToken.CanBeCanceled)
            {
                await _gate.WaitAsync(stopToken).ConfigureAwait(false);
                return;
            }

            using var either = CancellationTokenSource.CreateLinkedTokenSource(stopToken, unit.ReleaseToken);
            try
            {
                await _gate.WaitAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopToken.IsCancellationRequested)
            {
                throw new ReleasedWhileWaitingException();
            }
        }

        /// <summary>Thrown inside the pipeline when a graceful stop comes while the item waits at the rate-limit gate.</summary>
        private sealed class ReleasedWhileWaitingException : Exception
        {
        }

        private (string Error, string? Type) Describe(Outcome<ItemResult> outcome)
        {
            Exception? e = outcome.Exception;
            if (e == null)
            {
                return (outcome.Result?.Error ?? "The processor reported a failure.", outcome.Result?.ErrorType);
            }

            while ((e is AggregateException || e is TargetInvocationException) && e.InnerException != null)
            {
                e = e.InnerException;
            }

            if (e is TimeoutRejectedException)
            {
                string seconds = (_options.ItemTimeout ?? TimeSpan.Zero).TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
                return ($"Timed out after {seconds} s; the attempt was cancelled (a command's process tree is killed).", "Timeout");
            }

            return (e.Message, e.GetType().Name);
        }

        private string? Cap(string? text)
        {
            if (text == null || text.Length <= _options.MaxResultLength)
            {
                return text;
            }

            return text.Substring(0, _options.MaxResultLength) + string.Format(CultureInfo.InvariantCulture, " [{0:N0} characters cut]", text.Length - _options.MaxResultLength);
        }

        private ItemOutcome Outcome(WorkUnit unit, OutcomeKind kind, long clock, string? result = null, string? error = null, string? errorType = null, bool undoAttempt = false, string? errorDetail = null) =>
            new ItemOutcome
            {
                ItemId = unit.Item.Id,
                LeaseToken = unit.Item.LeaseToken,
                LeasePosition = unit.Item.LeasePosition,
                Key = unit.Item.Key,
                Kind = kind,
                Result = result,
                Error = error,
                ErrorType = errorType,
                ErrorDetail = errorDetail,
                Attempt = unit.Attempt,
                DurationMs = (Stopwatch.GetTimestamp() - clock) * 1000 / Stopwatch.Frequency,
                UndoAttempt = undoAttempt,
                StartedMs = unit.StartedMs,
                FinishedMs = kind == OutcomeKind.Released ? null : _nowMs(),
                Batch = unit.Batch,
            };
    }
}
