{
  "targets": [
    {
      "target_name": "netch_tap",
      "sources": ["tap.cc"],
      "cflags_cc": ["-O2", "-Wall", "-Wextra", "-fno-exceptions"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["OS!='linux'", { "sources!": ["tap.cc"], "sources": [] }]
      ]
    }
  ]
}
