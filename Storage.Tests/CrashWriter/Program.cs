// A child process for crash tests: writes to an engine with synced durability from several concurrent
// writers and reports each operation before it starts ("B") and once it is acknowledged ("A"), so the
// parent, after killing this process with SIGKILL, knows exactly what was acknowledged and what was in
// flight. Every line ends in " ." so that a line cut short by the kill is recognisable. Bounded: stops by
// itself after OPS operations per writer.
//
// usage: GrainKV.Storage.CrashWriter DATA_DIR ROUND WRITERS OPS [MEMTABLE_BYTES [LOG_PAGE_BITS]]
// A small memtable keeps flushes and compactions running all the time, so the kill lands in them; small log pages
// (32 KiB segments at 12 bits) make the log remove and reuse segments all the time too.

using System.Globalization;
using System.Text;
using GrainKV.Storage;

var directory = args[0];
var round = int.Parse(args[1], CultureInfo.InvariantCulture);
var writers = int.Parse(args[2], CultureInfo.InvariantCulture);
var ops = int.Parse(args[3], CultureInfo.InvariantCulture);
var memTable = args.Length > 4 ? long.Parse(args[4], CultureInfo.InvariantCulture) : 32L * 1024 * 1024;
var logPageBits = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : new StorageOptions().LogPageSizeBits;

await using var engine = await StorageEngine.OpenAsync(new StorageOptions
{
    DataDirectory = directory,
    Durability = LogDurability.Synced,
    MemTableSize = memTable,
    LogPageSizeBits = logPageBits,
    MaxValueSize = 2048,
    CompactionTrigger = 2,
    MaxTables = 4,
    StallTables = 8,
});
var output = Console.Out;
var gate = new Lock();
Console.WriteLine("READY");

await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    var random = new Random(round * 1000 + w);
    for (var i = 0; i < ops; i++)
    {
        var key = $"w{w}-k{random.Next(200)}";
        var delete = random.Next(10) == 0;
        var value = delete ? "-" : $"r{round}-w{w}-{i}-{new string('x', random.Next(1, 400))}";
        Report($"B {key} {value} .");
        if (delete)
        {
            await engine.DeleteAsync(Encoding.UTF8.GetBytes(key));
        }
        else
        {
            await engine.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
        }

        Report($"A {key} {value} .");
    }
})));

void Report(string line)
{
    lock (gate)
    {
        output.WriteLine(line);
        output.Flush();
    }
}
