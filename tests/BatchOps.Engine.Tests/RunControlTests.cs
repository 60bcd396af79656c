using System;
using System.Threading;
using BatchOps.Engine.Running;
using Xunit;

namespace BatchOps.Engine.Tests;

public class RunControlTests
{
    private static RunControl Begun(CancellationToken caller = default)
    {
        var control = new RunControl();
        control.Begin(caller);
        return control;
    }

    [Fact]
    public void A_run_left_alone_that_drains_completes()
    {
        RunControl control = Begun();
        Assert.Equal(RunPhase.Running, control.Phase);

        Assert.True(control.TryEndDrained(continuous: false, out bool suspendPending));
        Assert.False(suspendPending);
        Assert.Equal(RunPhase.Draining, control.Phase);
        Assert.Equal((RunState.Completed, StopReason.Drained), control.Outcome());
    }

    [Fact]
    public void The_first_stop_reason_is_kept_and_a_cancellation_outranks_it()
    {
        using var caller = new CancellationTokenSource();
        RunControl control = Begun(caller.Token);
        control.RequestStop(StopReason.MaxDurationReached);
        control.RequestStop(StopReason.StopRequested);
        Assert.Equal(RunPhase.Stopping, control.Phase);
        Assert.Equal(StopReason.MaxDurationReached, control.RequestedStop);
        Assert.True(control.DispatchStop.IsCancellationRequested);
        Assert.True(control.ReleaseWaiting.IsCancellationRequested);
        Assert.False(control.Hard.IsCancellationRequested);

        caller.Cancel();
        Assert.Equal(StopReason.Cancelled, control.RequestedStop);
        Assert.True(control.Hard.IsCancellationRequested);
    }

    [Fact]
    public void The_stop_the_dispatcher_saw_is_the_reason_the_run_ends_with()
    {
        RunControl control = Begun();
        control.RequestStop(StopReason.CircuitBroken, "too many failures");
        control.EndClaimingForStop();
        control.EndClaiming(StopReason.None); // the runner's end of claiming keeps the first reason

        Assert.Equal((RunState.Stopped, StopReason.CircuitBroken), control.Outcome());
        Assert.Equal("too many failures", control.StopMessage);
    }

    [Fact]
    public void A_stop_after_the_last_claim_decides_the_end_only_once_it_let_an_item_go()
    {
        RunControl drained = Begun();
        Assert.True(drained.TryEndDrained(false, out _));
        drained.RequestStop(StopReason.StopRequested);
        Assert.Equal((RunState.Completed, StopReason.Drained), drained.Outcome()); // everything was finished anyway

        RunControl released = Begun();
        Assert.True(released.TryEndDrained(false, out _));
        released.RequestStop(StopReason.StopRequested);
        Assert.Equal(StopReason.StopRequested, released.StopTookEffect()); // a worker let an unstarted item go
        Assert.Equal((RunState.Stopped, StopReason.StopRequested), released.Outcome());
    }

    [Fact]
    public void A_suspend_releases_unstarted_items_until_resumed()
    {
        RunControl control = Begun();
        CancellationToken waiting = control.ReleaseWaiting;
        control.NoticeSuspend();

        Assert.Equal(RunPhase.Suspended, control.Phase);
        Assert.True(control.SuspendRequested);
        Assert.True(control.ReleaseForSuspend());
        Assert.True(waiting.IsCancellationRequested); // items waiting out a rate limit go back
        Assert.False(control.TryEndDrained(false, out bool suspendPending)); // released items are pending again
        Assert.True(suspendPending);

        control.Resumed();
        Assert.Equal(RunPhase.Running, control.Phase);
        Assert.False(control.ReleaseForSuspend());
        Assert.False(control.ReleaseWaiting.IsCancellationRequested); // a fresh one after the resume
        Assert.Equal((RunState.Completed, StopReason.None), control.Outcome()); // a suspend is no stop
    }

    [Fact]
    public void A_suspend_after_claiming_ended_releases_nothing()
    {
        RunControl control = Begun();
        control.EndClaiming(StopReason.TargetReached);
        CancellationToken waiting = control.ReleaseWaiting;
        control.NoticeSuspend();

        Assert.False(control.ReleaseForSuspend());
        Assert.False(waiting.IsCancellationRequested);
        Assert.Equal((RunState.Completed, StopReason.TargetReached), control.Outcome());
    }

    [Fact]
    public void A_failure_ends_the_run_failed_and_keeps_a_backup_failure_as_its_reason()
    {
        RunControl control = Begun();
        int woken = 0;
        control.Woken = () => woken++;
        var first = new InvalidOperationException("disk is full");
        control.Fail(first);
        control.Fail(new InvalidOperationException("second"));

        Assert.Equal(RunPhase.Failed, control.Phase);
        Assert.Same(first, control.Fatal);
        Assert.True(control.Hard.IsCancellationRequested);
        Assert.Equal(2, woken);
        Assert.Equal((RunState.Failed, StopReason.Error), control.Outcome());

        RunControl backup = Begun();
        backup.EndClaiming(StopReason.BackupFailed);
        backup.Fail(new InvalidOperationException("backup"));
        Assert.Equal((RunState.Failed, StopReason.BackupFailed), backup.Outcome());
    }

    [Fact]
    public void An_abort_stops_the_run_and_fails_it_with_the_reason_given()
    {
        var control = new RunControl();
        var reason = new InvalidOperationException("the log's disk is full");
        control.Abort(reason); // before the run starts: kept
        control.Begin(CancellationToken.None);

        Assert.True(control.StopRequested);
        Assert.Same(reason, control.Fatal);
        control.EndClaimingForStop();
        Assert.Equal((RunState.Failed, StopReason.Error), control.Outcome());
    }
}
