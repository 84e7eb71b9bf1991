# Set-up is idempotent: each target installs only what is missing.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
APT_PKGS := tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-sim-vert tesseract-ocr-chi-tra tesseract-ocr-chi-tra-vert chromium fonts-noto-cjk fonts-arphic-uming fonts-arphic-ukai fonts-wqy-microhei libgl1 libglib2.0-0
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export OMP_THREAD_LIMIT := 1

.PHONY: demo test setup system-deps venv clean

demo: setup
	$(BIN)/magscan convert scans -o out; status=$$?; \
	$(BIN)/magscan report out >/dev/null || status=1; \
	echo; echo "Results in out/: out/<name>.txt (text), out/<name>/page-0001.json (layout and text),"; \
	echo "out/<name>/page-0001.overlay.png (QA overlay), out/manifest.sqlite (what was done)."; \
	echo "Review them in a browser: out/report/index.html. Batch summary: $(BIN)/magscan status out"; \
	echo "Score them against the ground truth: $(BIN)/magscan eval scans out"; \
	exit $$status

test: setup
	$(BIN)/python -m pytest -q

setup: system-deps venv

system-deps:
	@missing=""; for p in $(APT_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,ppocr,openvino]'
	touch $@

clean:
	rm -rf out .pytest_cache
