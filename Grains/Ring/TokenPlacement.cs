// Where a node's V tokens (virtual nodes) sit on the circle. A node's tokens depend on nothing but its
// own node id and V, never on the other members: that is what makes a join or a leave move only the
// ranges whose preference list gains or loses that node.
//
// Token i of node "id" is XxHash64(UTF-8 "{id}#{i}", seed 0). See docs/RING.md for the measured balance.

using System.IO.Hashing;
using System.Text;

namespace GrainKV.Grains.Ring;

/// <summary>Computes the tokens of one node.</summary>
public static class TokenPlacement
{
    /// <summary>The <paramref name="tokensPerNode"/> tokens of <paramref name="nodeId"/>, in index order.</summary>
    public static ulong[] TokensOf(string nodeId, int tokensPerNode)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerNode);

        var prefix = Encoding.UTF8.GetByteCount(nodeId) + 1;
        Span<byte> buffer = prefix + 11 <= 256 ? stackalloc byte[prefix + 11] : new byte[prefix + 11];
        Encoding.UTF8.GetBytes(nodeId, buffer);
        buffer[prefix - 1] = (byte)'#';

        var tokens = new ulong[tokensPerNode];
        for (var i = 0; i < tokens.Length; i++)
        {
            i.TryFormat(buffer[prefix..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
            tokens[i] = XxHash64.HashToUInt64(buffer[..(prefix + digits)]);
        }

        return tokens;
    }
}
