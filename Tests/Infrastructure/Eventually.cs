// Awaits a real condition with a bound: polls it on a periodic timer until it holds or the bound passes.

namespace GrainKV.Tests.Infrastructure;

public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(25));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not true within {bound.TotalSeconds} s: {what}");
            }

            await timer.WaitForNextTickAsync();
        }
    }

    public static Task HoldsAsync(Func<bool> condition, TimeSpan bound, string what) =>
        HoldsAsync(() => Task.FromResult(condition()), bound, what);
}
