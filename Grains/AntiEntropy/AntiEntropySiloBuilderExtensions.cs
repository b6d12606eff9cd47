// Registers anti-entropy on a silo: the range trees, their node-side service and its grain service, the throttle, the ledger,
// the reminder scheduler, and a reminder service (Orleans' in-memory one unless the host registered another
// reminder table first, e.g. Redis). The reminder service's minimum period is lowered to ExchangePeriod when that
// is shorter, so the configured period is the one used. Options are part of GrainKvNodeOptions
// ("GrainKV:AntiEntropy") and validated with them.

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
    /// <summary>Adds Merkle-tree anti-entropy (R14, C5) to this silo.</summary>
    public static ISiloBuilder AddGrainKvAntiEntropy(this ISiloBuilder builder)
    {
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(IReminderTable)))
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
