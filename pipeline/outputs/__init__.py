"""What magscan writes: page files and atomic writes (files), output names
(names), the QA overlay (overlay), standard formats (formats/), the HTML
review report (report/)."""
