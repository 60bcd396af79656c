using BatchOps.Engine.Running;
using Xunit;

namespace BatchOps.Engine.Tests;

public class ClaimPlannerTests
{
    private static ClaimInputs Run(int batchSize = 10, int throttle = 5, int ahead = 2, long held = 0) => new ClaimInputs
    {
        BatchSize = batchSize,
        ThrottleLimit = throttle,
        BatchesAhead = ahead,
        Held = held,
    };

    [Fact]
    public void With_nothing_held_it_claims_whole_batches_that_fill_the_window()
    {
        // Window: 5 workers + 2 batches of 10 ahead = 25; whole batches: 20.
        ClaimPlan plan = ClaimPlanner.Plan(Run());
        Assert.Equal(ClaimDecision.Claim, plan.Decision);
        Assert.Equal(20, plan.Count);
        Assert.Equal(25, plan.Window);
    }

    [Fact]
    public void It_claims_at_least_one_batch_and_waits_when_that_does_not_fit_beside_what_is_held()
    {
        ClaimPlan plan = ClaimPlanner.Plan(Run(held: 20));
        Assert.Equal(ClaimDecision.WaitForRoom, plan.Decision);
        Assert.Equal(10, plan.Count);

        Assert.Equal(ClaimDecision.Claim, ClaimPlanner.Plan(Run(held: 15)).Decision);
        Assert.Equal(10, ClaimPlanner.Plan(Run(held: 15)).Count);
    }

    [Fact]
    public void Paced_batches_claim_one_batch_at_a_time()
    {
        ClaimInputs run = Run(ahead: 1);
        run.Barrier = true;
        Assert.Equal(10, ClaimPlanner.Plan(run).Count);
    }

    [Fact]
    public void MaxItems_caps_the_claim_and_ends_the_run_once_claimed()
    {
        ClaimInputs run = Run();
        run.MaxItems = 25;
        run.ClaimedThisRun = 20;
        Assert.Equal(5, ClaimPlanner.Plan(run).Count);

        run.ClaimedThisRun = 25;
        Assert.Equal(ClaimDecision.StopMaxItemsReached, ClaimPlanner.Plan(run).Decision);
    }

    [Fact]
    public void A_target_claims_only_what_it_still_needs_counting_items_in_flight()
    {
        ClaimInputs run = Run(held: 2);
        run.Target = TargetPercent.Create(50);
        run.Total = 20;
        run.Succeeded = 5;
        ClaimPlan plan = ClaimPlanner.Plan(run); // 10 needed, 5 done, 2 in flight
        Assert.Equal(ClaimDecision.Claim, plan.Decision);
        Assert.Equal(3, plan.Count);
    }

    [Fact]
    public void A_target_met_by_items_in_flight_waits_for_their_outcome()
    {
        ClaimInputs run = Run(held: 5);
        run.Target = TargetPercent.Create(50);
        run.Total = 20;
        run.Succeeded = 5;
        Assert.Equal(ClaimDecision.WaitForOutcome, ClaimPlanner.Plan(run).Decision);
    }

    [Fact]
    public void A_target_met_with_nothing_in_flight_reads_the_job_again_before_ending_the_run()
    {
        ClaimInputs run = Run();
        run.Target = TargetPercent.Create(50);
        run.Total = 20;
        run.Succeeded = 10;
        Assert.Equal(ClaimDecision.RefreshTarget, ClaimPlanner.Plan(run).Decision);

        run.TargetRefreshed = true;
        Assert.Equal(ClaimDecision.StopTargetReached, ClaimPlanner.Plan(run).Decision);

        run.Total = 30; // items were added meanwhile: 15 needed now
        ClaimPlan plan = ClaimPlanner.Plan(run);
        Assert.Equal(ClaimDecision.Claim, plan.Decision);
        Assert.Equal(5, plan.Count);
    }

    [Fact]
    public void The_1000_of_2001_case_claims_the_one_item_still_needed()
    {
        ClaimInputs run = Run();
        run.Target = TargetPercent.Create(50);
        run.Total = 2001;
        run.Succeeded = 1000;
        Assert.Equal(1, ClaimPlanner.Plan(run).Count);
    }

    [Fact]
    public void No_more_batches_are_claimed_than_start_before_a_backup_is_due()
    {
        ClaimInputs run = Run();
        run.BatchesUntilBackup = 1;
        Assert.Equal(10, ClaimPlanner.Plan(run).Count);
    }

    [Fact]
    public void MaxItems_is_checked_before_the_target()
    {
        ClaimInputs run = Run();
        run.MaxItems = 0;
        run.Target = TargetPercent.Create(50);
        run.Total = 20;
        Assert.Equal(ClaimDecision.StopMaxItemsReached, ClaimPlanner.Plan(run).Decision);
    }
}
