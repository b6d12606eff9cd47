// The memtable against a trivial model: random sequences of sets, deletes, lookups and range copies (CsCheck,
// shrunk to a minimal failing sequence) must agree with a SortedDictionary at every step. Keys are short
// strings over a few byte values, including 0x00 and 0xFF, so prefixes, overwrites and unsigned ordering
// come up constantly.

using CsCheck;
using GrainKV.Storage.Memory;

namespace GrainKV.Storage.Tests.Memory;

public sealed class MemTableModelTests
{
    private static readonly Gen<byte[]> Key = Gen.OneOfConst<byte>(0x00, 0x01, 0x61, 0x7F, 0x80, 0xFF).Array[0, 3];

    private static readonly Gen<byte[]?> Value = Gen.Frequency<byte[]?>(
        (4, Gen.Byte.Array[0, 8].Select(v => (byte[]?)v)),
        (1, Gen.Const((byte[]?)null)));

    private static readonly Gen<Operation> AnOperation = Gen.Frequency<Operation>(
        (5, Gen.Select(Key, Value).Select(x => (Operation)new SetOperation(x.Item1, x.Item2))),
        (3, Key.Select(k => (Operation)new GetOperation(k))),
        (2, Gen.Select(Key, Key.Array[0, 1]).Select(x => (Operation)new SnapshotOperation(x.Item1, x.Item2.Length == 0 ? [] : x.Item2[0]))));

    [Fact]
    public void EveryStepAgreesWithASortedDictionary()
    {
        AnOperation.Array[1, 200].Sample(
            operations =>
            {
                var table = new MemTable();
                var model = new SortedDictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
                foreach (var operation in operations)
                {
                    switch (operation)
                    {
                        case SetOperation set:
                            table.Set(set.Key, set.Value);
                            model[set.Key] = set.Value;
                            break;
                        case GetOperation get:
                            var found = table.TryGet(get.Key, out var value);
                            Assert.Equal(model.TryGetValue(get.Key, out var expected), found);
                            Assert.Equal(expected, value);
                            break;
                        case SnapshotOperation snapshot:
                            var copy = table.Snapshot(snapshot.From, snapshot.To).Copied();
                            var inRange = model.Where(e =>
                                ByteArrayComparer.Instance.Compare(e.Key, snapshot.From) >= 0
                                && (snapshot.To.Length == 0 || ByteArrayComparer.Instance.Compare(e.Key, snapshot.To) < 0));
                            Assert.Equal(inRange.Select(Show), copy.Select(Show));
                            break;
                    }

                    Assert.Equal(model.Count, table.Count);
                }

                // What a flush writes: the whole map in key order, tombstones included.
                Assert.Equal(model.Select(Show), table.Entries().Copied().Select(Show));
            },
            iter: 2000,
            print: operations => string.Join("; ", operations.Select(o => o.ToString())));
    }

    private static string Show(KeyValuePair<byte[], byte[]?> entry) =>
        $"{Convert.ToHexString(entry.Key)}={(entry.Value is null ? "(deleted)" : Convert.ToHexString(entry.Value))}";

    private abstract record Operation;

    private sealed record SetOperation(byte[] Key, byte[]? Value) : Operation
    {
        public override string ToString() => $"Set {Convert.ToHexString(Key)}={(Value is null ? "(deleted)" : Convert.ToHexString(Value))}";
    }

    private sealed record GetOperation(byte[] Key) : Operation
    {
        public override string ToString() => $"Get {Convert.ToHexString(Key)}";
    }

    private sealed record SnapshotOperation(byte[] From, byte[] To) : Operation
    {
        public override string ToString() => $"Snapshot [{Convert.ToHexString(From)}, {(To.Length == 0 ? "end" : Convert.ToHexString(To))})";
    }
}
