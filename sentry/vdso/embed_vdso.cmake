# Turns the built vDSO into a C source (cmake -DIN=... -DOUT=... -P ...).
# A generated array rather than .incbin: ccache hashes the preprocessed
# source, so an .incbin'd file that changed would not rebuild.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
file(WRITE "${OUT}"
  "/* Generated from ${IN} by sentry/vdso/embed_vdso.cmake. */\n"
  "const unsigned char runsc_vdso_image[] __attribute__((aligned(4096))) = {${bytes}};\n"
  "const unsigned long runsc_vdso_image_size = ${size};\n")
