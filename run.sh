#!/usr/bin/env bash
# IPnP Studio's one entry point.
#   ./run.sh demo [--headless]   install what is missing, build, run the demo into ./ipnp-demo/
#                                (in IPnP Studio when there is a display, else a headless report)
#   ./run.sh test [--long]       install what is missing, build, run the test suite
#   ./run.sh bench               install, build, run the benchmarks in bench/ (prints ratios)
#   ./run.sh build               install and build only
set -euo pipefail
cd "$(dirname "$0")"

# Debian 12 packages the build, the tests and the independent checkers need.
PACKAGES=(
  cmake ninja-build g++ pkg-config
  qt6-base-dev libqt6opengl6-dev    # Qt Core/Gui/Widgets/Test, QOpenGLWidget for the VTK views
  qt6-charts-dev                    # the training dashboard's charts
  libvtk9-dev libgl1-mesa-dri       # slice and 3D views; Mesa renders them without a GPU
  libinsighttoolkit5-dev libgdcm-dev libgdcm-tools  # image IO; GDCM decodes JPEG 2000 DICOM; its tools
                                    # silence ITK's config warnings and make the tests' JPEG 2000 series
  libtorch-dev libopenblas0-pthread  # the specialist; OpenBLAS, not the slow reference BLAS
  libdcmtk-dev dcmtk                # DICOM (dcmtk: the tools the tests make compressed series with)
  dcm2niix                          # the DICOM import benchmark's peer
  plastimatch                       # an independent RTSTRUCT rasteriser the import is checked against
  dicom3tools orthanc               # dciodvfy validates exported SEG/RTSTRUCT; a real PACS for the network tests
  libsqlite3-dev libssl-dev zlib1g-dev libdeflate-dev
  nlohmann-json3-dev libcli11-dev
  xvfb xauth                        # tests run under Xvfb when there is no display
  dpkg-dev                          # dpkg-shlibdeps: the .deb's dependencies (cpack, its test)
  python3 python3-nibabel python3-numpy  # independent reader for the IO tests (/usr/bin/python3)
  python3-torch                     # loads exported models in a test; the Python peer of the benchmarks
)
BUILD_DIR=build
JOBS=2

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_missing_packages() {
  local missing=()
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "These Debian packages are missing: ${missing[*]}" >&2
    echo "Install them as root, then run this again:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  log "installing ${#missing[@]} Debian package(s): ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

build() {
  install_missing_packages
  # ccache (when installed) then hits across clones of this tree: paths below it count as relative.
  export CCACHE_BASEDIR="$PWD"
  log "configuring ($BUILD_DIR, RelWithDebInfo, Ninja)"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  log "building with $JOBS jobs"
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

# GL and GUI tests need an X server: start a private Xvfb when there is no display.
with_display() {
  if [ -n "${DISPLAY:-}" ]; then "$@"; else xvfb-run -a -s "-screen 0 1280x1024x24" "$@"; fi
}

verb=${1:-}
[ $# -gt 0 ] && shift
case "$verb" in
  demo)
    headless=0
    demo_args=()
    # The app runs as many rounds as the demo would (default 3, as `ipnp demo`'s), taken from the
    # options given for the demo; the auto-accept policy it finds in the project, where the demo
    # saved it.
    studio_rounds=3
    previous=
    for arg in "$@"; do
      if [ "$arg" = --headless ]; then headless=1; else demo_args+=("$arg"); fi
      [ "$previous" = --rounds ] && studio_rounds=$arg
      case "$arg" in --rounds=*) studio_rounds=${arg#--rounds=} ;; esac
      previous=$arg
    done
    build
    if [ $headless -eq 0 ] && [ -n "${DISPLAY:-}" ]; then
      # With a display: the app opens on the demo project and runs three unattended rounds in
      # its dashboard, so a person watches the pseudo-labels grow, then evaluates (the closing
      # training and the reference, then the results in a window; the headless report: --headless).
      log "preparing the demo project (./ipnp-demo/project)"
      "$BUILD_DIR/app/ipnp" demo --out ipnp-demo --setup-only ${demo_args[@]+"${demo_args[@]}"}
      log "opening IPnP Studio; the rounds and then the evaluation run in its Rounds panel"
      exec "$BUILD_DIR/app/ipnp-studio" ipnp-demo/project --run-rounds "$studio_rounds" --evaluate
    fi
    log "running the demo headless (writes ./ipnp-demo/)"
    "$BUILD_DIR/app/ipnp" demo --out ipnp-demo ${demo_args[@]+"${demo_args[@]}"}
    ;;
  test)
    long=0
    for arg in "$@"; do
      case "$arg" in
        --long) long=1 ;;
        *) echo "unknown option for test: $arg (only --long)" >&2; exit 2 ;;
      esac
    done
    build
    if [ $long -eq 1 ]; then
      log "running every test, the slow ones (label 'long') included"
      with_display ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
    else
      log "running the default test suite (slow tests: ./run.sh test --long)"
      with_display ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" -LE long
    fi
    ;;
  bench)
    build
    log "running the benchmarks"
    bench/run-all.sh "$BUILD_DIR"
    ;;
  build)
    build
    ;;
  *)
    echo "usage: ./run.sh demo [--headless] | test [--long] | bench | build" >&2
    exit 2
    ;;
esac
