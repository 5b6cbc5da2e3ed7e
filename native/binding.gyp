{
  "#": "built on the machine that runs it (npm ci), so -march=native lets the plain loops use AVX2/AVX-512 where present",
  "targets": [
    {
      "target_name": "r2u_native",
      "sources": ["src/r2u_native.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fopenmp", "-fexceptions", "-march=native"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
