namespace Berth.Cli.Data;

/// <summary>
/// The public traces Berth reads, at their published locations (see ../shared/traces/*/SOURCE.md of the
/// development set-up for the provenance). Checksums are those of the published bytes where known.
/// </summary>
public static class TraceCatalog
{
    public static TraceSource Openb { get; } = new()
    {
        Name = "openb",
        Title = "Alibaba GPU cluster trace 2023 (openb): node and pod lists of the FGD paper (Weng et al., USENIX ATC '23)",
        BaseUrl = "https://raw.githubusercontent.com/alibaba/clusterdata/7a6c496e4f4b6ce6150be8f881cb051bf2abff42/cluster-trace-gpu-v2023/csv",
        Homepage = "https://github.com/alibaba/clusterdata/tree/master/cluster-trace-gpu-v2023",
        Licence = """
            Terms: alibaba/clusterdata has no LICENSE file at its root (the only licence file, CC BY 4.0, sits in the
            2020 trace's folder). Its README allows use of the traces for research or study, asks you to cite the paper
            (Weng et al., "Beware of Fragmentation: Scheduling GPU-Sharing Workloads with Fragmentation Gradient
            Descent", USENIX ATC '23) and to tell the authors about publications that use them. Treat these files as
            research/study-use data with attribution; do not redistribute them as part of a product.
            """,
        Files =
        [
            new("openb_node_list_all_node.csv", "5a85c2af79c66a1efff8bbcbda430400aae56d8431370d738480967e1a9c6b15", 52287),
            new("openb_node_list_gpu_node.csv", "2beca64b4d3dfa342036a34b56a495c6cef9225db836c81f541282cb1df320b5", 42353),
            new("openb_pod_list_cpu0.csv", "1bc3fd9ee5c1468ccd018f624d9222746e08d59f963f66b925804734271c0eaa", 499765),
            new("openb_pod_list_cpu037.csv", "8ed554026d041b15ff21ddc104d9a21dbd9a93c496262fa23ef7b5be27e220dc", 518687),
            new("openb_pod_list_cpu050.csv", "747f43247bffc2b0bb081d7f61f0705ca8d390dafc0b647e642c92f3baf3ba1e", 525811),
            new("openb_pod_list_cpu072.csv", "f8a2b031461b54d7b9f06d55473c2371eb3357b78a255c646bdca5e0833a8a2f", 537576),
            new("openb_pod_list_cpu100.csv", "bec1c33fbdde61fd463877534ec79b393aec73e1cbb22d55fab9f166ac480982", 554709),
            new("openb_pod_list_cpu200.csv", "b7e9d8a1a601da84d6e0b4110b19ef5001be5e4796d33e7b82f166ba95161f87", 622703),
            new("openb_pod_list_cpu235.csv", "87bebd4d012faa8305ce1fd82737f51cf03361aac28b75d42e34aa656d7f4ee0", 651171),
            new("openb_pod_list_cpu300.csv", "76528825f40ee662cb098b3b6e683c1efd9f87a0c8af7e628df1f32c639636d1", 710698),
            new("openb_pod_list_default.csv", "1ee7ed79c27a3b0861cda8ddba86a004c6aba904caafa329a76ae93ca63834a8", 575468),
            new("openb_pod_list_gpushare20.csv", "9be2d0efb52e242c32e23dd184cc5fcc1983478c6c9c02cbb6b4b62925c0ffcd", 574603),
            new("openb_pod_list_gpushare40.csv", "d83ce79a4eb6987524bedbb0c65e41aed3a36bf6c1b78b86234c3687a07e1d40", 572662),
            new("openb_pod_list_gpushare60.csv", "d31809628128a1f24491086eda4af3e23882b9213d3ef57a56ee2d1af69492fe", 566361),
            new("openb_pod_list_gpushare80.csv", "88b6649369ced40d0fde287d2498ea61ff4b05fccba8bdc95daf6042f2f8431e", 563740),
            new("openb_pod_list_gpuspec05.csv", "8f1c0ef7e4e511e982bd2818898ba22ee6d273bf5fce124b7ace285b5928cf4e", 577176),
            new("openb_pod_list_gpuspec10.csv", "2dc7e4cb9480484f08539720b433a9ec9ab5d76b396f3f7557c53a2ff78a7611", 579461),
            new("openb_pod_list_gpuspec20.csv", "6b9b89ab8913c1c074e994e98f548cf1a872fc5f76f2442ca8cd514a478b00a9", 582612),
            new("openb_pod_list_gpuspec25.csv", "9d030679a2ccd7e27a7ec9ff15baff34480d22a0012515691fc187e3f35ee68c", 584915),
            new("openb_pod_list_multigpu20.csv", "d9ec6f6c74fb980cc0b81239470c6353fceea077ea9abd610003b604c7cc2b01", 271530),
            new("openb_pod_list_multigpu30.csv", "a5e479c6444b1d83eef848159cf00c3cfa13441b2d1e2c113c391b91f1cc5b11", 277920),
            new("openb_pod_list_multigpu40.csv", "32c9e8731ca07ef96108aa65f2a289bb9aacb47f642ed9e3789f99b242df60eb", 286202),
        ],
    };

    /// <summary>
    /// Microsoft's ITP job logs as published with ElasticFlow. The archive's checksum is not published, so its
    /// files are not verified; their SHA-256 sums are printed and written to SHA256SUMS for later checks.
    /// </summary>
    public static TraceSource Itp { get; } = new()
    {
        Name = "itp",
        Title = "Microsoft ITP job traces, ten clusters, March to May 2021 (ElasticFlow, ASPLOS '23)",
        BaseUrl = "https://raw.githubusercontent.com/microsoft/elasticflow-traces/277ed24d0e908c31a1c98145819e2e3853d8ac00",
        Homepage = "https://github.com/microsoft/elasticflow-traces",
        Licence = """
            Licence: MIT License, Copyright (c) Microsoft Corporation; the repository's LICENSE file is fetched with the
            data and written beside it. Cite the ElasticFlow paper (Gu et al., ASPLOS '23) when you publish results.
            """,
        Files = [new("LICENSE", null, 0), new("data/raw-traces.tar.gz", null, 0)],
        Archives = ["data/raw-traces.tar.gz"],
    };

    public static IReadOnlyList<TraceSource> All { get; } = [Openb, Itp];

    public static TraceSource? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
