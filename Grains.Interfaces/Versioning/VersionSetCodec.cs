// Encoding of a key's version set as the value stored in the node's engine.
//
//   offset  field
//   0       format version (1)
//   1       version count C (varint)
//   then C times:
//           node id length (varint), node id (UTF-8)
//           counter (varint)
//           timestamp, Unix milliseconds (varint)
//           past clock length (varint), past clock (VectorClock encoding)
//           flags (1 byte: bit 0 = has value, bit 1 = expires)
//           expiry, Unix milliseconds (varint, > 0)  -- only when bit 1 is set
//           value length (varint), value bytes      -- only when bit 0 is set
//
// Bit 1 was added with expiry (time to live). A set with no expiring version is encoded exactly as before,
// so data written by earlier releases reads unchanged; a release without expiry refuses a set that uses bit 1
// with a FormatException ("Unknown version flags"), never misreads it. Bit 1 without bit 0 is an expired
// version whose value was dropped (StoredVersion.IsReclaimed); neither bit is a tombstone.
//
// Varints are unsigned LEB128 (Varint). The encoder sizes the output first and writes it in one buffer;
// the decoder reads spans of the stored bytes and copies only each value. Every read is bounds-checked:
// a truncated, overlong or trailing-garbage input is a FormatException, never data.

using System.Text;
using GrainKV.Versioning;
using GrainKV.Shared;

namespace GrainKV.Versioning;

/// <summary>Reads and writes the engine encoding of a version set.</summary>
public static class VersionSetCodec
{
    private const byte FormatVersion = 1;
    private const byte HasValue = 1;
    private const byte HasExpiry = 2;

    public static byte[] Encode(IReadOnlyCollection<StoredVersion> versions)
    {
        var bytes = new byte[SizeOf(versions, withValues: true)];
        WriteExactly(versions, bytes, withValues: true, bytes.Length);
        return bytes;
    }

    /// <summary>The length of <see cref="Encode(IReadOnlyCollection{StoredVersion})"/>'s result.</summary>
    public static int EncodedSize(IReadOnlyCollection<StoredVersion> versions) => SizeOf(versions, withValues: true);

    /// <summary>Writes what <see cref="Encode(IReadOnlyCollection{StoredVersion})"/> returns to <paramref name="destination"/>
    /// (at least <see cref="EncodedSize"/> bytes, e.g. a pooled buffer); returns the bytes written.</summary>
    public static int Encode(IReadOnlyCollection<StoredVersion> versions, Span<byte> destination) =>
        Encode(versions, destination, SizeOf(versions, withValues: true));

    /// <summary>Like <see cref="Encode(IReadOnlyCollection{StoredVersion}, Span{byte})"/>, for a caller that has the
    /// encoding's <paramref name="size"/> from <see cref="EncodedSize"/> already (it is not computed again);
    /// <paramref name="destination"/> must hold it. Returns the bytes written.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="size"/> is not the encoding's size.</exception>
    public static int Encode(IReadOnlyCollection<StoredVersion> versions, Span<byte> destination, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, size, nameof(destination));
        return WriteExactly(versions, destination, withValues: true, size);
    }

    /// <summary>The length of <see cref="EncodeWithoutValues(IReadOnlyCollection{StoredVersion}, Span{byte})"/>'s encoding of
    /// <paramref name="versions"/>.</summary>
    public static int EncodedSizeWithoutValues(IReadOnlyCollection<StoredVersion> versions) => SizeOf(versions, withValues: false);

    /// <summary>Writes the encoding of <paramref name="versions"/> without their values (a value that exists is written
    /// empty) to <paramref name="destination"/>: <see cref="DecodeWithoutValues"/> reads from it what it reads from the
    /// encoding with the values. Returns the bytes written, or 0 (writing nothing) if they do not fit.</summary>
    public static int EncodeWithoutValues(IReadOnlyCollection<StoredVersion> versions, Span<byte> destination)
    {
        var size = SizeOf(versions, withValues: false);
        if (size > destination.Length)
        {
            return 0;
        }

        return WriteExactly(versions, destination, withValues: false, size);
    }

    /// <summary>Like <see cref="EncodeWithoutValues(IReadOnlyCollection{StoredVersion}, Span{byte})"/>, for a caller that
    /// has the encoding's <paramref name="size"/> from <see cref="EncodedSizeWithoutValues"/> already (it is not computed
    /// again); <paramref name="destination"/> must hold it. Returns the bytes written.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="size"/> is not the encoding's size.</exception>
    public static int EncodeWithoutValues(IReadOnlyCollection<StoredVersion> versions, Span<byte> destination, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, size, nameof(destination));
        return WriteExactly(versions, destination, withValues: false, size);
    }

    /// <summary>Writes the encoding, which <see cref="SizeOf"/> said is <paramref name="size"/> bytes; returns the size.</summary>
    private static int WriteExactly(IReadOnlyCollection<StoredVersion> versions, Span<byte> destination, bool withValues, int size) =>
        Write(versions, destination, withValues) == size ? size : throw new InvalidOperationException("Version set size mismatch.");

    /// <summary>Decodes a version set. Throws <see cref="FormatException"/> if the bytes are not a valid encoding.</summary>
    public static StoredVersion[] Decode(ReadOnlySpan<byte> bytes) => DecodeSet(bytes, withValues: true);

    /// <summary>Decodes a version set's versions without their values: each value is <see cref="NoValue"/> (a
    /// tombstone's stays null), everything else as <see cref="Decode"/> reads it. For a caller
    /// that needs only the versions' dots, clocks and kinds (an overwrite that supersedes them all), it saves
    /// copying each value. Throws <see cref="FormatException"/> where <see cref="Decode"/> would.</summary>
    public static StoredVersion[] DecodeWithoutValues(ReadOnlySpan<byte> bytes) => DecodeSet(bytes, withValues: false);

    /// <summary>The value <see cref="DecodeWithoutValues"/> gives every version that holds one.</summary>
    public static byte[] NoValue { get; } = [];

    private static int SizeOf(IReadOnlyCollection<StoredVersion> versions, bool withValues)
    {
        var size = 1 + Varint.Size((ulong)versions.Count);
        foreach (var version in versions)
        {
            var node = Encoding.UTF8.GetByteCount(version.Node);
            var past = version.Past.EncodedSize;
            var value = withValues ? version.Value?.Length ?? 0 : 0;
            size += Varint.Size((ulong)node) + node
                + Varint.Size(version.Counter) + Varint.Size((ulong)version.TimestampMs)
                + Varint.Size((ulong)past) + past
                + 1 + (version.Expires ? Varint.Size((ulong)version.ExpiresAtMs) : 0)
                + (version.Value is not null ? Varint.Size((ulong)value) + value : 0);
        }

        return size;
    }

    private static int Write(IReadOnlyCollection<StoredVersion> versions, Span<byte> output, bool withValues)
    {
        output[0] = FormatVersion;
        var offset = 1 + Varint.Write(output[1..], (ulong)versions.Count);
        foreach (var version in versions)
        {
            offset += Varint.Write(output[offset..], (ulong)Encoding.UTF8.GetByteCount(version.Node));
            offset += Encoding.UTF8.GetBytes(version.Node, output[offset..]);
            offset += Varint.Write(output[offset..], version.Counter);
            offset += Varint.Write(output[offset..], (ulong)version.TimestampMs);
            offset += Varint.Write(output[offset..], (ulong)version.Past.EncodedSize);
            offset += version.Past.EncodeTo(output[offset..]);
            output[offset++] = (byte)((version.Value is null ? 0 : HasValue) | (version.Expires ? HasExpiry : 0));
            if (version.Expires)
            {
                offset += Varint.Write(output[offset..], (ulong)version.ExpiresAtMs);
            }

            if (version.Value is { } value)
            {
                var written = withValues ? value : [];
                offset += Varint.Write(output[offset..], (ulong)written.Length);
                written.CopyTo(output[offset..]);
                offset += written.Length;
            }
        }

        return offset;
    }

    private static StoredVersion[] DecodeSet(ReadOnlySpan<byte> bytes, bool withValues)
    {
        var count = ReadCount(bytes, out var offset);
        var result = new StoredVersion[count];
        for (var i = 0; i < count; i++)
        {
            var version = ReadVersion(bytes, ref offset);
            result[i] = new StoredVersion(
                Encoding.UTF8.GetString(version.Node), version.Counter, VectorClock.Decode(version.Past), version.TimestampMs,
                !version.HasValue ? null : withValues ? version.Value.ToArray() : NoValue) { ExpiresAtMs = version.ExpiresAtMs };
        }

        return offset == bytes.Length ? result : throw new FormatException("Trailing bytes after the version set.");
    }

    /// <summary>True if a version of the encoded set holds a value that has expired at <paramref name="nowMs"/> (what
    /// VersionSet.Reclaim would drop). Reads the encoding in place, allocating nothing: most sets have no expiring
    /// version, and compaction asks this of every set it copies. Throws <see cref="FormatException"/> where
    /// <see cref="Decode"/> would, except on a malformed past clock, which it does not read.</summary>
    public static bool HasValueExpiredAt(ReadOnlySpan<byte> bytes, long nowMs)
    {
        var count = ReadCount(bytes, out var offset);
        var expired = false;
        for (var i = 0; i < count; i++)
        {
            var version = ReadVersion(bytes, ref offset);
            expired |= version.HasValue && version.ExpiresAtMs != 0 && nowMs >= version.ExpiresAtMs;
        }

        return offset == bytes.Length ? expired : throw new FormatException("Trailing bytes after the version set.");
    }

    /// <summary>Checks the format byte and reads the version count; <paramref name="offset"/> is then at the first version.</summary>
    private static int ReadCount(ReadOnlySpan<byte> bytes, out int offset)
    {
        if (bytes.Length == 0 || bytes[0] != FormatVersion)
        {
            throw new FormatException(bytes.Length == 0 ? "Empty version set." : $"Unknown version-set format {bytes[0]}.");
        }

        offset = 1;

        // Every version takes at least 6 bytes, which bounds the count before anything is allocated.
        return Varint.ReadLength(bytes, ref offset, (bytes.Length - offset) / 6, "Version count");
    }

    /// <summary>Reads one version's fields in place (its node id, past clock and value stay undecoded slices).</summary>
    private static EncodedVersion ReadVersion(ReadOnlySpan<byte> bytes, ref int offset)
    {
        var node = Slice(bytes, ref offset, "Node id length");
        var counter = Varint.Read(bytes, ref offset);
        var timestamp = (long)Varint.Read(bytes, ref offset);
        var past = Slice(bytes, ref offset, "Past clock length");
        if (offset >= bytes.Length)
        {
            throw new FormatException("Truncated version set.");
        }

        var flags = bytes[offset++];
        if ((flags & ~(HasValue | HasExpiry)) != 0)
        {
            throw new FormatException($"Unknown version flags {flags}.");
        }

        var expiresAt = 0L;
        if ((flags & HasExpiry) != 0)
        {
            var raw = Varint.Read(bytes, ref offset);
            expiresAt = raw is > 0 and <= long.MaxValue ? (long)raw : throw new FormatException($"Invalid expiry {raw}.");
        }

        var hasValue = (flags & HasValue) != 0;
        var value = hasValue ? Slice(bytes, ref offset, "Value length") : default;
        return new EncodedVersion(node, counter, timestamp, past, expiresAt, hasValue, value);
    }

    /// <summary>Reads a length-prefixed slice; <paramref name="lengthName"/> names the length in an error (a constant: this
    /// runs for every field of every version decoded, so it must not build a string).</summary>
    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> bytes, ref int offset, string lengthName)
    {
        var length = Varint.ReadFollowingLength(bytes, ref offset, lengthName);
        var slice = bytes.Slice(offset, length);
        offset += length;
        return slice;
    }
}

/// <summary>One encoded version's fields, read in place from the set's bytes.</summary>
internal readonly ref struct EncodedVersion(
    ReadOnlySpan<byte> node, ulong counter, long timestampMs, ReadOnlySpan<byte> past, long expiresAtMs, bool hasValue, ReadOnlySpan<byte> value)
{
    public ReadOnlySpan<byte> Node { get; } = node;

    public ulong Counter { get; } = counter;

    public long TimestampMs { get; } = timestampMs;

    public ReadOnlySpan<byte> Past { get; } = past;

    public long ExpiresAtMs { get; } = expiresAtMs;

    public bool HasValue { get; } = hasValue;

    public ReadOnlySpan<byte> Value { get; } = value;
}
