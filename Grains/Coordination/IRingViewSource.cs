// Where a coordinator takes the ring from: each request uses the view current when it starts. On a silo
// that is the RingService's view; tests hand in a fixed RingView.

using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;

namespace GrainKV.Grains.Coordination;

/// <summary>The ring view requests are coordinated with.</summary>
public interface IRingViewSource
{
    /// <summary>The view as of now (immutable; a request keeps the one it started with).</summary>
    RingView Current { get; }
}

/// <summary>The silo's ring view, as <see cref="RingService"/> keeps it.</summary>
public sealed class RingServiceViews(RingService ring) : IRingViewSource
{
    public RingView Current => ring.Current;
}
