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
//           flags (1 byte: bit 0 = has value)
//           value length (varint), value bytes      -- only when bit 0 is set

using System.Text;
using GrainKV.Replication;
using GrainKV.Versioning;

namespace GrainKV.Grains.Replication;

/// <summary>Reads and writes the engine encoding of a version set.</summary>
public static class SiblingCodec
{
    private const byte FormatVersion = 1;

    public static byte[] Encode(IReadOnlyCollection<StoredVersion> versions)
    {
        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer, Encoding.UTF8);
        writer.Write(FormatVersion);
        writer.Write7BitEncodedInt(versions.Count);
        foreach (var version in versions)
        {
            writer.Write(version.Node);
            writer.Write7BitEncodedInt64((long)version.Counter);
            writer.Write7BitEncodedInt64(version.TimestampMs);
            var past = version.Past.Encode();
            writer.Write7BitEncodedInt(past.Length);
            writer.Write(past);
            writer.Write((byte)(version.Value is null ? 0 : 1));
            if (version.Value is { } value)
            {
                writer.Write7BitEncodedInt(value.Length);
                writer.Write(value);
            }
        }

        writer.Flush();
        return buffer.ToArray();
    }

    /// <summary>Decodes a version set. Throws <see cref="FormatException"/> if the bytes are not a valid encoding.</summary>
    public static StoredVersion[] Decode(byte[] bytes)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            var format = reader.ReadByte();
            if (format != FormatVersion)
            {
                throw new FormatException($"Unknown version-set format {format}.");
            }

            var count = reader.Read7BitEncodedInt();
            var result = new StoredVersion[count];
            for (var i = 0; i < count; i++)
            {
                var node = reader.ReadString();
                var counter = (ulong)reader.Read7BitEncodedInt64();
                var timestamp = reader.Read7BitEncodedInt64();
                var past = VectorClock.Decode(reader.ReadBytes(reader.Read7BitEncodedInt()));
                var value = reader.ReadByte() == 1 ? ReadExactly(reader, reader.Read7BitEncodedInt()) : null;
                result[i] = new StoredVersion(node, counter, past, timestamp, value);
            }

            return result;
        }
        catch (EndOfStreamException ex)
        {
            throw new FormatException("Truncated version set.", ex);
        }
    }

    private static byte[] ReadExactly(BinaryReader reader, int length)
    {
        var value = reader.ReadBytes(length);
        return value.Length == length ? value : throw new FormatException("Truncated value in version set.");
    }
}
