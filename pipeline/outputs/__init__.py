"""What magscan writes: page files and atomic writes (files), output names
(names), the QA overlay (overlay), standard formats (formats/), the HTML
review report (report/)."""

# The one low-confidence threshold (0-100): lines below it are shaded on the
# overlay and listed with their image in the report, and pages whose mean is
# below it count as low-confidence in the report's index (`--low-conf`).
# Here, not in overlay.py, so that the command line shows it without loading OpenCV.
LOW_CONF = 70.0

