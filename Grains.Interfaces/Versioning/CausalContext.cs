// The opaque causal context a read returns and a later write hands back: the merged vector clock of
// every version the reader saw, so the write supersedes exactly those versions. A context is bound to
// the key it was read from: handed to a write of another key it would delete versions the writer never
// saw, so such a write is refused (ContextMismatchException).
//
//   Bytes:  offset 0  1 byte   context format (ContextFormat = 2)
//           offset 1  8 bytes  XxHash64 of the key, little-endian
//           offset 9  the vector clock's encoding (VectorClock.Encode)

using System.Buffers.Binary;
using System.Buffers.Text;
using GrainKV.Partitioning;
using GrainKV.Versioning;

namespace GrainKV.Versioning;

/// <summary>An opaque token naming the versions a client has seen of one key.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.CausalContext")]
public sealed record CausalContext([property: Id(0)] byte[] Bytes)
{
    /// <summary>The format byte that starts a non-empty context.</summary>
    public const byte ContextFormat = 2;

    private const int HeaderSize = 1 + sizeof(ulong);

    /// <summary>No versions seen: a write with it never supersedes anything.</summary>
    public static CausalContext Empty { get; } = new([]);

    public bool IsEmpty => Bytes.Length == 0;

    /// <summary>The context of <paramref name="clock"/> read from <paramref name="key"/>.</summary>
    public static CausalContext For(ReadOnlySpan<byte> key, VectorClock clock)
    {
        var bytes = new byte[HeaderSize + clock.EncodedSize];
        bytes[0] = ContextFormat;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(1), KeyPartitioner.Hash(key));
        clock.EncodeTo(bytes.AsSpan(HeaderSize));
        return new CausalContext(bytes);
    }

    /// <summary>The clock of this context for a write of <paramref name="key"/> (<see cref="VectorClock.Empty"/> when empty).</summary>
    /// <exception cref="ContextMismatchException">The context was read from another key.</exception>
    /// <exception cref="InvalidRequestException">The bytes are not a context.</exception>
    public VectorClock ClockFor(ReadOnlySpan<byte> key)
    {
        if (IsEmpty)
        {
            return VectorClock.Empty;
        }

        var clock = Validate(Bytes);
        if (BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan(1)) != KeyPartitioner.Hash(key))
        {
            throw new ContextMismatchException("The causal context was read from another key; a context can only be written back to the key it came from.");
        }

        return clock;
    }

    /// <summary>The URL-safe base64 form, for the command line.</summary>
    public override string ToString() => IsEmpty ? "" : Base64Url.EncodeToString(Bytes);

    /// <summary>Parses the form <see cref="ToString"/> writes. Throws <see cref="FormatException"/> if malformed.</summary>
    public static CausalContext Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return Empty;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException ex)
        {
            throw new FormatException("The causal context is not URL-safe base64.", ex);
        }

        try
        {
            Validate(bytes);
        }
        catch (InvalidRequestException ex)
        {
            throw new FormatException(ex.Message, ex);
        }

        return new CausalContext(bytes);
    }

    public bool Equals(CausalContext? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);

    public override int GetHashCode() => Convert.ToHexString(Bytes).GetHashCode(StringComparison.Ordinal);

    private static VectorClock Validate(byte[] bytes)
    {
        if (bytes.Length <= HeaderSize || bytes[0] != ContextFormat)
        {
            throw new InvalidRequestException("The causal context is malformed or from an unknown format.");
        }

        try
        {
            return VectorClock.Decode(bytes.AsSpan(HeaderSize));
        }
        catch (FormatException ex)
        {
            throw new InvalidRequestException($"The causal context is malformed: {ex.Message}");
        }
    }
}
