// Node-RED settings for weir's benchmark (bench/cmd starts Node-RED with
// --settings pointing here and --userDir a temporary directory holding the
// generated flows.json). Loopback only, editor and admin API off, flow
// context in the persistent localfilesystem store (cached in memory, flushed
// to disk every 30 s: Node-RED's default persistence).
module.exports = {
    uiHost: "127.0.0.1",
    uiPort: parseInt(process.env.BENCH_NODERED_PORT || "1880", 10),
    flowFile: "flows.json",
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: "/",
    disableEditor: true,
    contextStorage: {
        default: { module: "localfilesystem" },
    },
    functionTimeout: 0,
    logging: {
        console: { level: "warn", metrics: false, audit: false },
    },
    diagnostics: { enabled: false, ui: false },
    telemetry: { enabled: false },
    runtimeState: { enabled: false, ui: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
};
