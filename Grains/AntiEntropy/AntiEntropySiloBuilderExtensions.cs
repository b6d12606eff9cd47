// Registers anti-entropy on a silo: the range trees, their node-side service and its grain service, the
// throttle, the ledger, the reminder scheduler, the absence guard, and a reminder service (Orleans' in-memory one
// unless the host registered another reminder table first, e.g. Redis; none when AutomaticExchanges is off). The
// reminder service's minimum period is lowered to ExchangePeriod when that is shorter, so the configured period is
// the one used. Options are part of GrainKvNodeOptions ("GrainKV:AntiEntropy") and validated with them.

using GrainKV.Grains.AntiEntropy;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;

namespace GrainKV.Grains;

/// <summary><see cref="ISiloBuilder"/> extension adding anti-entropy.</summary>
public static class AntiEntropySiloBuilderExtensions
{
    /// <summary>Adds Merkle-tree anti-entropy (R14, C5) to this silo; <paramref name="configure"/> is the node's options
    /// delegate (read here to know whether reminders are wanted).</summary>
    public static ISiloBuilder AddGrainKvAntiEntropy(this ISiloBuilder builder, Action<GrainKvNodeOptions>? configure = null)
    {
        var services = builder.Services;
        var declared = new GrainKvNodeOptions();
        configure?.Invoke(declared);

        // Without automatic exchanges no reminder is ever registered: the reminder service is not started at all (its
        // background work is measurable on a loaded test machine).
        if (declared.AntiEntropy.AutomaticExchanges && !services.Any(d => d.ServiceType == typeof(IReminderTable)))
        {
            builder.UseInMemoryReminderService();
        }

        services.AddOptions<ReminderOptions>().PostConfigure<IOptions<GrainKvNodeOptions>>((reminders, node) =>
        {
            var period = node.Value.AntiEntropy.ExchangePeriod;
            if (period < reminders.MinimumReminderPeriod)
            {
                reminders.MinimumReminderPeriod = period;
            }
        });
        services.AddSingleton(sp => new RangeTrees(sp.GetRequiredService<IOptions<GrainKvNodeOptions>>().Value.AntiEntropy.Leaves));
        services.AddSingleton<LocalTrees>();
        services.AddSingleton<ReplicaTreeServiceClient>();
        builder.AddGrainService<ReplicaTreeService>();
        services.AddSingleton<ExchangeThrottle>();
        services.AddSingleton<ExchangeLedger>();
        services.AddSingleton<ExchangeScheduler>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ExchangeScheduler>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, AbsenceGuard>();
        return builder;
    }
}
