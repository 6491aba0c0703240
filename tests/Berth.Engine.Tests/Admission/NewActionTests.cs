using Berth.Engine.Admission;
using Berth.Engine.Admission.Actions;
using Berth.Engine.Tests.Admission.Actions.IdleFlavor;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

/// <summary>
/// "A new action is one folder, one registry line and one scenario": <see cref="IdleFlavorAction"/> lives in its own
/// folder, is added to the registry in one line, and a profile's action list names it after allocate.
/// </summary>
public class NewActionTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Schedule_ActionAddedToTheRegistry_AdmitsOverQuotaWhereNoOtherQueueRuns(bool registered, bool flavorBusy)
    {
        var options = new AdmissionOptions { PlacementPolicy = "bestfit" };
        if (registered)
        {
            options = options with
            {
                ActionRegistry = [.. AdmissionActions.All, new IdleFlavorAction()], // the one registry line
                Actions = [AdmissionActions.Allocate, "idle-flavor"], // a profile naming it
            };
        }

        // Queue "mine" holds 8 GPUs of a 24-GPU flavor and uses them all; "big" is over its quota, with room left.
        var f = new AdmissionFixture(3, 8, [Make.Queue("mine").Gpus(8).Build(), Make.Queue("other").Gpus(8).Build()], options);
        f.Submit(Make.Workload("first").In("mine").Pods(1, gpus: 8));
        if (flavorBusy)
        {
            f.Submit(Make.Workload("running").In("other").Pods(1, gpus: 8));
        }

        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("first"));
        f.Submit(Make.Workload("big").In("mine").Pods(1, gpus: 8));
        f.Scheduler.Schedule();

        var admitted = registered && !flavorBusy;
        Assert.Equal(admitted ? WorkloadPhase.Admitted : WorkloadPhase.Pending, f.Phase("big"));
        Assert.Equal(admitted ? 8000 : 0, f.Scheduler.Find("big")!.Usage.GpuMilli);
        if (!admitted)
        {
            Assert.Equal(PendingReasonCode.QuotaExceeded, f.Reason("big"));
        }
    }

    [Fact]
    public void Options_ActionNotInTheRegistry_IsRefusedNamingTheField()
    {
        var options = new AdmissionOptions { Actions = [AdmissionActions.Allocate, "idle-flavor"] };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal("Actions", error.ParamName);
        Assert.Contains("'idle-flavor' is not an admission action", error.Message, StringComparison.Ordinal);
    }
}
