{
  "targets": [
    {
      "target_name": "r2u_native",
      "sources": ["src/r2u_native.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fopenmp", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
