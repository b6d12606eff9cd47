// Fuzz tests of the frame parser, with fixed seeds. The parser is fed the way a PipeReader feeds it: chunks
// arrive as new buffer segments, consumed bytes are dropped, the rest is offered again with the next chunk.
//
//   - valid streams (array and inline frames, empty ones, frames over the limits) come out exactly as sent,
//     however they are cut into chunks;
//   - no strict prefix of a frame ever yields it (a truncated command is never run: no partial write);
//   - random and mutated streams: no exception escapes, every call makes progress, every frame keeps to the
//     limits, and the outcome does not depend on how the bytes were cut into chunks.

using System.Buffers;
using System.Text;
using GrainKV.Grains.Resp;

namespace GrainKV.Tests.Resp;

public sealed class RespFrameParserFuzzTests
{
    private const int MaxBulk = 64;
    private const int MaxArguments = 8;

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 8)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ValidStreamsComeOutAsSentHoweverTheyAreCut(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var (stream, expected) = ValidStream(random, frames: random.Next(1, 12));
            expected.Add("end");
            Assert.Equal(expected, Run(stream, [stream.Length]));
            Assert.Equal(expected, Run(stream, RandomCuts(random, stream.Length)));
            Assert.Equal(expected, Run(stream, [.. Enumerable.Repeat(1, stream.Length)]));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void NoPrefixOfAFrameYieldsIt(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 100; round++)
        {
            var (frame, _) = ValidStream(random, frames: 1);
            for (var length = 0; length < frame.Length; length++)
            {
                Assert.Equal(["end"], Run(frame[..length], RandomCuts(random, length)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task MutatedStreamsNeverThrowNorDependOnChunking(int seed)
    {
        var random = new Random(seed);
        await Task.Run(() =>
        {
            for (var round = 0; round < 500; round++)
            {
                var (stream, _) = ValidStream(random, frames: random.Next(1, 6));
                var mutated = Mutate(random, stream);
                var whole = Run(mutated, [mutated.Length]);
                Assert.Equal(whole, Run(mutated, RandomCuts(random, mutated.Length)));
            }
        }).WaitAsync(TimeSpan.FromMinutes(2)); // a bound against a hang, not a timing assertion
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomBytesNeverThrowNorDependOnChunking(int seed)
    {
        var random = new Random(seed);
        var alphabet = "*$\r\n-0123456789 aSETGE"u8.ToArray();
        for (var round = 0; round < 500; round++)
        {
            var bytes = new byte[random.Next(0, 300)];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = random.Next(2) == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)random.Next(256);
            }

            Assert.Equal(Run(bytes, [bytes.Length]), Run(bytes, RandomCuts(random, bytes.Length)));
        }
    }

    // Feeds input in chunks of the given sizes; returns each frame (described), then "error: ..." or "end".
    private static List<string> Run(byte[] input, int[] chunks)
    {
        var parser = new RespFrameParser(MaxBulk, MaxArguments);
        var results = new List<string>();
        var segments = new List<byte[]>();
        var offset = 0;
        foreach (var size in chunks.Append(input.Length))
        {
            var take = Math.Min(size, input.Length - offset);
            if (take > 0)
            {
                segments.Add(input[offset..(offset + take)]);
                offset += take;
            }

            var buffer = Segments.Of(segments);
            var reader = new SequenceReader<byte>(buffer);
            while (true)
            {
                var before = reader.Consumed;
                var status = parser.TryParse(ref reader, out var frame, out var error);
                if (status == RespParseStatus.ProtocolError)
                {
                    Assert.NotEmpty(error);
                    results.Add($"error: {error}");
                    return results;
                }

                if (status == RespParseStatus.NeedMore)
                {
                    break;
                }

                Assert.True(reader.Consumed > before, "a frame consumes bytes");
                results.Add(Describe(frame));
            }

            var rest = buffer.Slice(reader.Consumed).ToArray();
            segments = rest.Length == 0 ? [] : [rest];
        }

        results.Add("end");
        return results;
    }

    private static string Describe(RespFrame frame)
    {
        if (frame.Rejection is { } rejection)
        {
            Assert.Empty(frame.Arguments);
            return $"refused: {rejection}";
        }

        Assert.InRange(frame.Arguments.Count, 1, MaxArguments);
        Assert.All(frame.Arguments, a => Assert.InRange(a.Length, 0, MaxBulk));
        return string.Join(' ', frame.Arguments.Select(Convert.ToHexString));
    }

    // Random frames and what the parser must make of them (empty frames yield nothing).
    private static (byte[] Stream, List<string> Expected) ValidStream(Random random, int frames)
    {
        var stream = new MemoryStream();
        var expected = new List<string>();
        for (var f = 0; f < frames; f++)
        {
            if (random.Next(20) == 0)
            {
                stream.Write(random.Next(2) == 0 ? "*0\r\n"u8 : "\r\n"u8);
                continue;
            }

            var count = random.Next(10) == 0 ? random.Next(MaxArguments + 1, MaxArguments + 4) : random.Next(1, MaxArguments + 1);
            var arguments = Enumerable.Range(0, count).Select(_ => RandomArgument(random)).ToList();
            var inline = random.Next(3) == 0 && arguments.All(a => a.Length > 0 && !a.Any(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                && arguments[0][0] != (byte)'*';
            if (inline)
            {
                stream.Write(Encoding.Latin1.GetBytes(string.Join(' ', arguments.Select(Encoding.Latin1.GetString))));
                stream.Write(random.Next(2) == 0 ? "\r\n"u8 : "\n"u8);
                var longest = arguments.Max(a => a.Length);
                expected.Add(count > MaxArguments ? TooMany(count) : longest > MaxBulk ? TooLong(longest) : Hex(arguments));
            }
            else
            {
                stream.Write(RespSocket.Frame([.. arguments]));
                var firstLong = arguments.FirstOrDefault(a => a.Length > MaxBulk);
                expected.Add(count > MaxArguments ? TooMany(count) : firstLong is not null ? TooLong(firstLong.Length) : Hex(arguments));
            }
        }

        return (stream.ToArray(), expected);
    }

    private static byte[] RandomArgument(Random random)
    {
        var length = random.Next(12) == 0 ? random.Next(MaxBulk + 1, 3 * MaxBulk) : random.Next(0, 20);
        var bytes = new byte[length];
        if (random.Next(2) == 0)
        {
            random.NextBytes(bytes);
        }
        else
        {
            for (var i = 0; i < length; i++)
            {
                bytes[i] = (byte)random.Next('a', 'z' + 1);
            }
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] stream)
    {
        var bytes = stream.ToList();
        for (var n = random.Next(1, 4); n > 0 && bytes.Count > 0; n--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 5)).Select(_ => "*$\r\n-9"u8[random.Next(6)]));
                    break;
                case 2:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 8), bytes.Count - at));
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    bytes.InsertRange(at, bytes.GetRange(at, Math.Min(random.Next(1, 20), bytes.Count - at)));
                    break;
                default:
                    var digit = bytes.FindIndex(at, b => b is >= (byte)'0' and <= (byte)'9');
                    if (digit >= 0)
                    {
                        bytes[digit] = (byte)random.Next('0', '9' + 1);
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    private static int[] RandomCuts(Random random, int length)
    {
        var cuts = new List<int>();
        for (var left = length; left > 0;)
        {
            var size = random.Next(1, Math.Max(2, Math.Min(left, 40)) + 1);
            cuts.Add(size);
            left -= size;
        }

        return [.. cuts];
    }

    private static string Hex(List<byte[]> arguments) => string.Join(' ', arguments.Select(Convert.ToHexString));

    private static string TooMany(int count) => $"refused: too many arguments ({count}); at most {MaxArguments} per command";

    private static string TooLong(int length) => $"refused: bulk string of {length} bytes exceeds the limit of {MaxBulk} bytes; nothing was stored";

    // A ReadOnlySequence over several arrays, as a PipeReader hands out.
    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(byte[] memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Of(List<byte[]> arrays)
        {
            if (arrays.Count == 0)
            {
                return ReadOnlySequence<byte>.Empty;
            }

            var first = new Segments(arrays[0], 0);
            var last = first;
            foreach (var array in arrays.Skip(1))
            {
                var next = new Segments(array, last.RunningIndex + last.Memory.Length);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
