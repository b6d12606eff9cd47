// The clockwise walk that turns a token position into a preference order. Starting at the first token
// at or after a range's start, it meets node after node (skipping nodes already met). Each datacenter has a
// quota of places: the replicas per datacenter when configured, else one each (PreferDistinct: the first node
// of each datacenter is a "leader"; the order is the leaders in the order met, then the other nodes in the
// order met, and the first entry is the first node met clockwise, the range's primary).
//
// The first N places go to the nodes met clockwise whose datacenter
// still has room, in the order met; then come the other nodes in the order met (so the top N holds each
// datacenter's count when it has that many nodes, and the standbys follow in clockwise order). The primary is
// the first node met whose datacenter has a count above zero. Shorter lists are prefixes here too.
//
// The selection depends only on the clockwise sequence of distinct nodes, and a node that is not
// selected never changes who is: so adding (removing) a node changes a range's top-N only if the
// added (removed) node is in the new (old) top-N.

namespace GrainKV.Grains.Ring;

/// <summary>Reusable scratch state for walking one ring; not thread-safe, one per caller.</summary>
internal sealed class PreferenceWalk
{
    private readonly ulong[] _tokens;
    private readonly int[] _owners;
    private readonly int[] _datacenterOf;
    private readonly int[] _nodeSeen;
    private readonly int[] _skipped;
    private readonly int[] _quotas;
    private readonly int _quotaTotal;
    private readonly int[] _taken;
    private int _generation;

    /// <param name="tokens">The ring's tokens, sorted.</param>
    /// <param name="owners">The node (index) of each token.</param>
    /// <param name="datacenterOf">The datacenter (index) of each node.</param>
    /// <param name="datacenterCount">How many datacenters there are.</param>
    /// <param name="quotas">Replicas per datacenter (index), or null to spread over distinct datacenters.</param>
    public PreferenceWalk(ulong[] tokens, int[] owners, int[] datacenterOf, int datacenterCount, int[]? quotas = null)
    {
        _tokens = tokens;
        _owners = owners;
        _datacenterOf = datacenterOf;
        _nodeSeen = new int[datacenterOf.Length];
        _skipped = new int[datacenterOf.Length];
        // Spreading over distinct datacenters is a quota of one per datacenter: its "leaders" are the places.
        _quotas = quotas ?? Enumerable.Repeat(1, Math.Max(datacenterCount, 1)).ToArray();
        _quotaTotal = _quotas.Sum();
        _taken = new int[Math.Max(datacenterCount, 1)];
    }

    /// <summary>Index of the first token at or after <paramref name="start"/>, wrapping to 0.</summary>
    public int FirstTokenAtOrAfter(ulong start)
    {
        var index = Array.BinarySearch(_tokens, start);
        if (index < 0)
        {
            index = ~index;
        }
        else
        {
            while (index > 0 && _tokens[index - 1] == start)
            {
                index--;
            }
        }

        return index == _tokens.Length ? 0 : index;
    }

    /// <summary>Writes the first <c>result.Length</c> nodes (indexes) of the preference order starting at token <paramref name="startToken"/>.</summary>
    /// <returns>How many nodes were written: <c>result.Length</c>, or fewer if the ring has fewer nodes.</returns>
    public int Walk(int startToken, Span<int> result)
    {
        if (_tokens.Length == 0 || result.Length == 0)
        {
            return 0;
        }

        _generation++;
        Array.Clear(_taken);
        var want = Math.Min(result.Length, _datacenterOf.Length);
        var placesWanted = Math.Min(want, _quotaTotal);
        var quotas = _quotas;
        int placed = 0, skipped = 0;

        for (int step = 0, i = startToken; step < _tokens.Length; step++, i = i + 1 == _tokens.Length ? 0 : i + 1)
        {
            var node = _owners[i];
            if (_nodeSeen[node] == _generation)
            {
                continue;
            }

            _nodeSeen[node] = _generation;
            var datacenter = _datacenterOf[node];
            if (placed < placesWanted && _taken[datacenter] < quotas[datacenter])
            {
                _taken[datacenter]++;
                result[placed++] = node;
            }
            else
            {
                _skipped[skipped++] = node;
            }

            if (placed == placesWanted && placed + skipped >= want)
            {
                break;
            }
        }

        var fill = Math.Min(want - placed, skipped);
        _skipped.AsSpan(0, fill).CopyTo(result[placed..]);
        return placed + fill;
    }
}
