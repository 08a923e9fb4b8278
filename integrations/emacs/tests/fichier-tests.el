;;; fichier-tests.el --- Tests of fichier.el with `fichier serve --sandbox'  -*- lexical-binding: t; -*-

;;; Commentary:

;; Run from the repository's root (tests/run.sh does, with a scratch directory):
;;
;;   emacs --batch -Q -L integrations/emacs -l integrations/emacs/tests/fichier-tests.el \
;;     -f ert-run-tests-batch-and-exit
;;
;; Environment: FICHIER_BIN (default .build/debug/fichier of this checkout) and
;; FICHIER_TEST_DIR (default: a new temporary directory, removed at exit).  Every test talks
;; to the real binary: `fichier serve --sandbox DIR/sandbox --debug-methods', one process at a
;; time (a sandbox directory serves one process).  Tests do not depend on each other's order:
;; each one uploads what it needs under its own remote folder.  Asynchronous answers are
;; awaited with `accept-process-output' loops bounded by a deadline.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'url)
(require 'fichier)

(defconst fichier-test-root
  (expand-file-name "../../.." (file-name-directory (or load-file-name buffer-file-name)))
  "The repository's root.")

(defconst fichier-test-bin
  (let ((bin (or (getenv "FICHIER_BIN") ".build/debug/fichier")))
    (expand-file-name bin fichier-test-root))
  "The fichier binary under test.")

(defconst fichier-test-own-dir (not (getenv "FICHIER_TEST_DIR"))
  "Whether the scratch directory was made here (and is removed at exit).")

(defconst fichier-test-dir
  (file-name-as-directory (or (getenv "FICHIER_TEST_DIR") (make-temp-file "fichier-ert-" t)))
  "The scratch directory of this run.")

(defconst fichier-test-sandbox (expand-file-name "sandbox" fichier-test-dir)
  "The sandbox emulator's data directory.")

(defconst fichier-test-timeout 30
  "Seconds any single wait may take.")

(unless (file-executable-p fichier-test-bin)
  (error "No fichier binary at %s (set FICHIER_BIN)" fichier-test-bin))

;; Hermetic: no 1fichier settings of the caller, and never the user's own vault.
(dolist (name '("FICHIER_API_KEY" "FICHIER_API_KEY_FILE" "FICHIER_API_URL" "FICHIER_KEYFILE"
                "FICHIER_PASSPHRASE" "FICHIER_PASSPHRASE_FILE"))
  (setenv name nil))

(setq fichier-command (list fichier-test-bin "serve" "--sandbox" fichier-test-sandbox "--debug-methods")
      fichier-environment (list (concat "FICHIER_VAULT=" fichier-test-dir "no-vault/vault"))
      fichier-remote-dir "/ert")

(add-hook 'kill-emacs-hook
          (lambda ()
            (when (fichier-process)
              (fichier-stop))
            (when fichier-test-own-dir
              (delete-directory fichier-test-dir t))))

;;;; Helpers

(defun fichier-test--wait (predicate &optional seconds)
  "Read process output until PREDICATE is non-nil or SECONDS pass; return its value."
  (let ((deadline (+ (float-time) (or seconds fichier-test-timeout))))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall predicate)))

(defun fichier-test--command (thunk &optional seconds)
  "Call THUNK, which runs a command, and wait for the command to finish.
Returns (:command C :error E :result R) from `fichier-finished-functions'."
  (let* ((outcome nil)
         (hook (lambda (command error result)
                 (unless outcome
                   (setq outcome (list :command command :error error :result result))))))
    (add-hook 'fichier-finished-functions hook)
    (unwind-protect
        (progn
          (funcall thunk)
          (should (fichier-test--wait (lambda () outcome) seconds))
          outcome)
      (remove-hook 'fichier-finished-functions hook))))

(defmacro fichier-test--recording-messages (variable &rest body)
  "Run BODY while every `message' text is also pushed onto VARIABLE (newest first)."
  (declare (indent 1))
  (let ((recorder (make-symbol "recorder")))
    `(let ((,recorder (lambda (format-string &rest arguments)
                        (when format-string
                          (push (apply #'format-message format-string arguments) ,variable)))))
       (advice-add 'message :before ,recorder)
       (unwind-protect (progn ,@body)
         (advice-remove 'message ,recorder)))))

(defun fichier-test--file (name &optional bytes)
  "The scratch file NAME, written with BYTES (a unibyte string) when given."
  (let ((file (expand-file-name name fichier-test-dir)))
    (make-directory (file-name-directory file) t)
    (when bytes
      (let ((coding-system-for-write 'no-conversion))
        (write-region bytes nil file nil 'silent)))
    file))

(defun fichier-test--bytes (file)
  "The bytes of FILE as a unibyte string."
  (with-temp-buffer
    (set-buffer-multibyte nil)
    (insert-file-contents-literally file)
    (buffer-string)))

(defun fichier-test--pattern-bytes (size seed)
  "SIZE bytes (a unibyte string) with every byte value, varying with SEED.
Blocks of 64 KiB, each numbered in its first 8 bytes."
  (let ((block (make-string 65536 0))
        (blocks nil))
    (dotimes (i 65536)
      (aset block i (% (+ (* i 7) (/ i 251) seed) 256)))
    (dotimes (k (1+ (/ size 65536)))
      (push (concat (format "%08d" k) (substring block 8)) blocks))
    (substring (apply #'concat (nreverse blocks)) 0 size)))

(defun fichier-test--call (method &optional params)
  "`fichier-call' of METHOD with PARAMS, bounded by `fichier-test-timeout'."
  (fichier-call method params fichier-test-timeout))

(defun fichier-test--kind (error)
  "The `data.kind' of ERROR, an error object."
  (alist-get 'kind (alist-get 'data error)))

(defun fichier-test--upload-data (remote text)
  "Upload TEXT (a string, sent as UTF-8) to REMOTE with `fichier-call'; return the result."
  (fichier-call "transfer/upload"
                (list :remote remote :ifExists "replace"
                      :data (base64-encode-string (encode-coding-string text 'utf-8) t))
                fichier-test-timeout))

(defun fichier-test--pid ()
  "The pid of the running co-process (started if needed by a ping)."
  (fichier-test--call "ping" nil)
  (process-id (fichier-process)))

;;;; Tests

(ert-deftest fichier-test-initialize-and-ping ()
  "initialize and ping through the callback API; the session's own initialize is kept."
  (let (init-error init-result ping-id ping-error ping-result (ping-done nil))
    (fichier-request "initialize"
                     '(:protocolVersions [1] :client (:name "fichier-tests" :version "1"))
                     (lambda (error result) (setq init-error error init-result (or result 'empty))))
    (setq ping-id (fichier-request "ping" nil
                                   (lambda (error result)
                                     (setq ping-done t ping-error error ping-result result))))
    (should (integerp ping-id))
    (should (fichier-test--wait (lambda () (and init-result ping-done))))
    (should-not init-error)
    (should (equal (alist-get 'protocolVersion init-result) 1))
    (let ((methods (alist-get 'methods (alist-get 'capabilities init-result))))
      (should (member "transfer/upload" methods))
      (should (member "debug/sleep" methods)))
    (should-not ping-error)
    (should (null ping-result))     ; {} reads as nil
    ;; fichier.el sent its own initialize when it started the process.
    (should (equal (alist-get 'name (alist-get 'server (fichier-server-info))) "fichier"))
    (should (integerp (alist-get 'maxLineBytes (alist-get 'limits (fichier-server-info)))))
    ;; Ids are unique for the session.
    (should (> (fichier-request "ping" nil #'ignore) ping-id))))

(ert-deftest fichier-test-filter-stitches-lines ()
  "The process filter fed by hand: lines split across chunks, several lines in a chunk."
  (let ((fake (make-pipe-process :name "fichier-test-fake" :noquery t))
        (events nil))
    (unwind-protect
        (let ((pending (make-hash-table)))
          (process-put fake 'fichier-pending pending)
          (dolist (id '(901 902 903))
            (puthash id (fichier--request-create
                         :id id :method "test"
                         :callback (lambda (error result) (push (list id error result) events))
                         :progress (lambda (params) (push (list id 'progress params) events)))
                     pending))
          (let* ((progress (encode-coding-string
                            "{\"jsonrpc\":\"2.0\",\"method\":\"event/progress\",\"params\":{\"requestId\":901,\"phase\":\"uploading\",\"bytesDone\":5,\"bytesTotal\":10}}\n"
                            'utf-8))
                 (answer (encode-coding-string
                          "{\"jsonrpc\":\"2.0\",\"id\":901,\"result\":{\"text\":\"été ✓\"}}\n" 'utf-8))
                 (failure (encode-coding-string
                           "{\"jsonrpc\":\"2.0\",\"id\":902,\"error\":{\"code\":1300,\"message\":\"no such file\",\"data\":{\"kind\":\"not_found\"}}}\n"
                           'utf-8))
                 (last (encode-coding-string "{\"jsonrpc\":\"2.0\",\"id\":903,\"result\":{}}\n" 'utf-8))
                 ;; Split inside the ✓ (3 bytes in UTF-8) of the answer.
                 (cut (- (length answer) 6)))
            (should-not (multibyte-string-p answer))
            ;; The progress event in three chunks: nothing is dispatched before its newline.
            (fichier--filter fake (substring progress 0 20))
            (fichier--filter fake (substring progress 20 60))
            (should (null events))
            (fichier--filter fake (substring progress 60))
            (should (equal (length events) 1))
            ;; The end of nothing, a blank line, garbage, half of the answer; then the rest of
            ;; the answer, the whole error, the beginning of the last line in one chunk.
            (fichier--filter fake (concat "\n   \n" (substring answer 0 cut)))
            (should (equal (length events) 1))
            (let ((inhibit-message t))
              (fichier--filter fake (concat (substring answer cut) "not json\n" failure
                                            (substring last 0 10))))
            (should (equal (length events) 3))
            (should (equal (hash-table-count pending) 1))
            (fichier--filter fake (substring last 10))
            (should (equal (hash-table-count pending) 0))
            (setq events (nreverse events))
            (should (equal (nth 0 events)
                           '(901 progress ((requestId . 901) (phase . "uploading")
                                           (bytesDone . 5) (bytesTotal . 10)))))
            (should (equal (nth 1 events) '(901 nil ((text . "été ✓")))))
            (should (equal (car (nth 2 events)) 902))
            (should (equal (alist-get 'code (nth 1 (nth 2 events))) 1300))
            (should (equal (fichier-error-message (nth 1 (nth 2 events))) "no such file (not_found)"))
            (should (equal (nth 3 events) '(903 nil nil)))
            (should (null (process-get fake 'fichier-pieces)))))
      (delete-process fake))))

(ert-deftest fichier-test-upload-saved-file-buffer ()
  "A buffer visiting a saved file uploads the file by path; URL in the kill ring."
  (let* ((text "notes from emacs\nligne ✓\n")
         (file (fichier-test--file "saved/notes file.txt" (encode-coding-string text 'utf-8)))
         (buffer (find-file-noselect file)))
    (unwind-protect
        (with-current-buffer buffer
          (should (equal (car (fichier--upload-params "/x"))
                         (list :remote "/x" :ifExists "replace" :local file)))
          (let* ((outcome (fichier-test--command #'fichier-upload-buffer))
                 (result (plist-get outcome :result)))
            (should (eq (plist-get outcome :command) 'upload))
            (should-not (plist-get outcome :error))
            (should (equal (alist-get 'path result) "/ert/notes file.txt"))
            (should (string-match-p "\\`https://1fichier\\.com/\\?" (alist-get 'url result)))
            (should (equal (current-kill 0 t) (alist-get 'url result)))
            (should (equal fichier-url (alist-get 'url result)))
            (should (equal fichier-remote-path "/ert/notes file.txt"))
            (let ((stat (fichier-test--call "fs/stat" '(:path "/ert/notes file.txt"))))
              (should (equal (alist-get 'size stat) (file-attribute-size (file-attributes file))))
              (should (equal (alist-get 'url stat) (alist-get 'url result))))
            (let ((listing (fichier-test--call "fs/list" '(:path "/ert"))))
              (should (cl-find-if (lambda (entry)
                                    (and (equal (alist-get 'name entry) "notes file.txt")
                                         (equal (alist-get 'size entry) (string-bytes text))))
                                  (alist-get 'files listing))))))
      (kill-buffer buffer))))

(ert-deftest fichier-test-upload-unsaved-buffers ()
  "A buffer without a file, and a modified file buffer, upload their text as data."
  (let ((scratch (generate-new-buffer "ert scratch"))
        (file (fichier-test--file "modified/draft.txt" "on disk\n"))
        visiting)
    (unwind-protect
        (progn
          (with-current-buffer scratch
            (insert "hello from emacs\nsecond line ✓\n")
            (should (plist-get (car (fichier--upload-params "/x")) :data))
            (let* ((outcome (fichier-test--command (lambda () (fichier-upload-buffer "/ert-data/"))))
                   (result (plist-get outcome :result)))
              (should-not (plist-get outcome :error))
              (should (equal (alist-get 'path result) "/ert-data/ert scratch.txt"))
              (should (equal (alist-get 'size result) (string-bytes "hello from emacs\nsecond line ✓\n")))
              (should (equal (current-kill 0 t) (alist-get 'url result)))
              (should (equal fichier-url (alist-get 'url result)))
              (should (equal (alist-get 'size (fichier-test--call "fs/stat" '(:path "/ert-data/ert scratch.txt")))
                             (alist-get 'size result)))))
          (setq visiting (find-file-noselect file))
          (with-current-buffer visiting
            (goto-char (point-max))
            (insert "and in the buffer\n")
            (let* ((outcome (fichier-test--command (lambda () (fichier-upload-buffer "/ert-data/draft.txt"))))
                   (result (plist-get outcome :result)))
              (should-not (plist-get outcome :error))
              (should (equal (alist-get 'size result) (length "on disk\nand in the buffer\n")))))
          ;; An empty buffer is refused before any request.
          (with-temp-buffer
            (should-error (fichier-upload-buffer "/ert-data/empty.txt") :type 'user-error)))
      (kill-buffer scratch)
      (when visiting
        (with-current-buffer visiting (set-buffer-modified-p nil))
        (kill-buffer visiting)))))

(ert-deftest fichier-test-upload-large-unsaved-buffer ()
  "Text too long for one protocol line goes through a private temporary file."
  (let ((buffer (generate-new-buffer "big text"))
        (temporary-file-directory (file-name-as-directory (fichier-test--file "tmp/"))))
    (unwind-protect
        (with-current-buffer buffer
          (dotimes (i 30000)
            (insert (format "line %06d of a buffer too large for one request line\n" i)))
          (let ((size (string-bytes (buffer-string))))
            (should (> (* 4 (/ size 3)) 1048576))
            (let* ((outcome (fichier-test--command (lambda () (fichier-upload-buffer "/ert-big/big.txt"))))
                   (result (plist-get outcome :result)))
              (should-not (plist-get outcome :error))
              (should (equal (alist-get 'size result) size))
              (should (equal (alist-get 'size (fichier-test--call "fs/stat" '(:path "/ert-big/big.txt")))
                             size))
              ;; The temporary file is gone.
              (should (null (directory-files temporary-file-directory nil "\\`fichier-upload-"))))))
      (kill-buffer buffer))))

(ert-deftest fichier-test-upload-progress ()
  "A 16 MiB upload reports monotonic progress up to its size, also in the echo area."
  (let* ((size (* 16 1024 1024))
         (file (fichier-test--file "progress/big.bin"))
         (quarter (fichier-test--pattern-bytes (/ size 4) 1))
         (events nil) (answer nil))
    (let ((coding-system-for-write 'no-conversion))
      (dotimes (i 4)
        (write-region quarter nil file (> i 0) 'silent)))
    (should (equal (file-attribute-size (file-attributes file)) size))
    (fichier-request "transfer/upload" (list :local file :remote "/ert-progress/big.bin")
                     (lambda (error result) (setq answer (list :error error :result result)))
                     (lambda (params) (push params events)))
    (should (fichier-test--wait (lambda () answer) 120))
    (should-not (plist-get answer :error))
    (should (equal (alist-get 'size (plist-get answer :result)) size))
    (let* ((uploading (cl-remove-if-not (lambda (event) (equal (alist-get 'phase event) "uploading"))
                                        (reverse events)))
           (done (mapcar (lambda (event) (alist-get 'bytesDone event)) uploading)))
      (message "fichier-tests: bytesDone of the upload's progress reports: %S" done)
      (should (>= (length uploading) 2))
      (should (cl-every (lambda (event) (equal (alist-get 'bytesTotal event) size)) uploading))
      (should (equal done (sort (copy-sequence done) #'<=)))
      (should (equal (car done) 0))
      (should (equal (car (last done)) size))
      ;; After the last byte: finalizing, then the answer.
      (should (equal (alist-get 'phase (car events)) "finalizing")))
    ;; The command shows it in the echo area.
    (let ((buffer (find-file-noselect file t t))
          (shown nil))
      (unwind-protect
          (with-current-buffer buffer
            (fichier-test--recording-messages shown
              (should-not (plist-get (fichier-test--command #'fichier-upload-buffer 120) :error)))
            (should (cl-find-if (lambda (text)
                                  (string-match-p "big\\.bin uploading 100% (16\\.8 MB of 16\\.8 MB)" text))
                                shown))
            (should (cl-find-if (lambda (text) (string-match-p "URL in the kill ring" text)) shown)))
        (kill-buffer buffer)))))

(ert-deftest fichier-test-progress-of-a-slow-transfer ()
  "A transfer that takes seconds: several progress reports, strictly increasing."
  (let ((events nil) (answer nil) (shown nil))
    (fichier-test--recording-messages shown
      (fichier-request "debug/transfer" '(:bytes 8000000 :chunks 8 :intervalMs 150)
                       (lambda (error result) (setq answer (list :error error :result result)))
                       (let ((echo (fichier--progress-reporter "slow")))
                         (lambda (params)
                           (push params events)
                           (funcall echo params))))
      (should (fichier-test--wait (lambda () answer))))
    (should-not (plist-get answer :error))
    (let ((done (mapcar (lambda (event) (alist-get 'bytesDone event)) (reverse events))))
      (should (>= (length done) 4))
      (should (equal done (sort (delete-dups (copy-sequence done)) #'<)))
      (should (equal (car (last done)) 8000000)))
    (should (cl-find-if (lambda (text) (string-match-p "\\`fichier: slow uploading [1-9][0-9]% (" text)) shown))
    (should (member "fichier: slow uploading 100% (8 MB of 8 MB)" shown))))

(ert-deftest fichier-test-link ()
  "fichier-link: the page URL, and with a prefix a direct URL that serves the bytes."
  (let* ((uploaded (fichier-test--upload-data "/ert-link/hello.txt" "hello, link ✓\n"))
         (page (fichier-test--command (lambda () (fichier-link "/ert-link/hello.txt")))))
    (should-not (plist-get page :error))
    (should (equal (current-kill 0 t) (alist-get 'url uploaded)))
    (let* ((direct (fichier-test--command (lambda () (fichier-link (alist-get 'url uploaded) t))))
           (url (current-kill 0 t)))
      (should-not (plist-get direct :error))
      (should (string-match-p "\\`http://127\\.0\\.0\\.1:[0-9]+/" url))
      (let ((url-proxy-services nil)
            (buffer (url-retrieve-synchronously url t t fichier-test-timeout)))
        (unwind-protect
            (with-current-buffer buffer
              (goto-char (point-min))
              (should (re-search-forward "^HTTP/1\\.[01] 200" nil t))
              (should (re-search-forward "\r?\n\r?\n" nil t))
              (should (equal (buffer-substring-no-properties (point) (point-max))
                             (encode-coding-string "hello, link ✓\n" 'utf-8))))
          (kill-buffer buffer))))
    ;; A folder has no link.
    (let ((folder (fichier-test--command (lambda () (fichier-link "/ert-link")))))
      (should (equal (fichier-test--kind (plist-get folder :error)) "not_found")))))

(ert-deftest fichier-test-interactive-defaults ()
  "The commands' prompts offer this buffer's last upload; C-u asks for the remote path."
  (let ((prompts nil)
        (buffer (generate-new-buffer "interactive notes"))
        (into (file-name-as-directory (fichier-test--file "interactive/"))))
    (make-directory into t)
    (unwind-protect
        (cl-letf (((symbol-function 'read-string)
                   (lambda (prompt &optional _initial _history default &rest _)
                     (push prompt prompts)
                     default))
                  ((symbol-function 'read-file-name)
                   (lambda (prompt &rest _)
                     (push prompt prompts)
                     into)))
          (with-current-buffer buffer
            (insert "asked for\n")
            (let* ((current-prefix-arg '(4))
                   (outcome (fichier-test--command
                             (lambda () (call-interactively #'fichier-upload-buffer)))))
              (should (equal (car prompts) "Upload to (default /ert/interactive notes.txt): "))
              (should (equal (alist-get 'path (plist-get outcome :result)) "/ert/interactive notes.txt")))
            (let ((url fichier-url))
              (kill-new "something else")
              (should-not (plist-get (fichier-test--command (lambda () (call-interactively #'fichier-link)))
                                     :error))
              (should (equal (car prompts) (format "Link of (default %s): " url)))
              (should (equal (current-kill 0 t) url))
              (let ((current-prefix-arg '(4)))
                (should-not (plist-get (fichier-test--command (lambda () (call-interactively #'fichier-link)))
                                       :error))
                (should (string-prefix-p "Direct link of" (car prompts)))
                (should (string-match-p "\\`http://127\\.0\\.0\\.1:" (current-kill 0 t))))
              (let ((got (fichier-test--command (lambda () (call-interactively #'fichier-download)))))
                (should-not (plist-get got :error))
                (should (equal (nth 1 prompts) (format "Download (default %s): " url)))
                (should (equal (car prompts) "Download to: "))
                (should (equal (fichier-test--bytes (expand-file-name "interactive notes.txt" into))
                               "asked for\n"))))))
      (kill-buffer buffer))))

(ert-deftest fichier-test-ls-buffer ()
  "fichier-ls lists folders then files; RET opens a folder and downloads a file; ^ and g."
  (fichier-test--upload-data "/ert-ls/sub/inner.txt" "inside\n")
  (let ((file (fichier-test--upload-data "/ert-ls/a file.txt" "first file\n"))
        (downloads (file-name-as-directory (fichier-test--file "ls-downloads/"))))
    (make-directory downloads t)
    (let* ((default-directory downloads)
           (outcome (fichier-test--command (lambda () (fichier-ls "/ert-ls"))))
           (buffer (alist-get 'buffer (plist-get outcome :result))))
      (should-not (plist-get outcome :error))
      (should (eq (current-buffer) buffer))
      (should (eq (window-buffer (selected-window)) buffer))
      (should (equal (buffer-name buffer) "*fichier /ert-ls*"))
      (should (derived-mode-p 'fichier-ls-mode))
      (should buffer-read-only)
      (should (equal default-directory downloads))
      (let ((text (buffer-string)))
        (should (string-match-p "\\`/ert-ls  (1 folder, 1 file)\n" text))
        (should (string-match-p "^  sub/$" text))
        (should (string-match-p (concat "^  a file\\.txt +11 B  [0-9]\\{4\\}-[0-9][0-9]-[0-9][0-9] [0-9:]\\{5\\}  "
                                        (regexp-quote (alist-get 'url file)) "$")
                                text))
        (should (< (string-match "sub/" text) (string-match "a file" text))))
      ;; RET on the folder.
      (goto-char (point-min))
      (re-search-forward "^  sub/")
      (let* ((inner (fichier-test--command (lambda () (call-interactively (key-binding (kbd "RET"))))))
             (inner-buffer (alist-get 'buffer (plist-get inner :result))))
        (should-not (plist-get inner :error))
        (should (equal (buffer-name inner-buffer) "*fichier /ert-ls/sub*"))
        (should (eq (window-buffer (selected-window)) inner-buffer))
        (with-current-buffer inner-buffer
          (should (string-match-p "^  inner\\.txt " (buffer-string)))
          (should (equal default-directory downloads))))
      ;; ^ goes up again.
      (let ((up (fichier-test--command (lambda () (call-interactively (key-binding "^"))))))
        (should (eq (alist-get 'buffer (plist-get up :result)) buffer))
        (should (eq (window-buffer (selected-window)) buffer)))
      ;; g shows a file uploaded meanwhile, and keeps point on its entry.
      (set-buffer buffer)
      (goto-char (point-min))
      (re-search-forward "^  a file")
      (fichier-test--upload-data "/ert-ls/b.txt" "second\n")
      (let ((refreshed (fichier-test--command (lambda () (call-interactively (key-binding "g"))))))
        (should-not (plist-get refreshed :error))
        (should (string-match-p "^  b\\.txt " (buffer-string)))
        (should (equal (alist-get 'name (fichier--entry-at-point)) "a file.txt")))
      ;; RET on a file downloads it into default-directory.
      (let ((got (fichier-test--command (lambda () (call-interactively (key-binding (kbd "RET")))))))
        (should-not (plist-get got :error))
        (should (equal (alist-get 'local (plist-get got :result)) (expand-file-name "a file.txt" downloads)))
        (should (equal (fichier-test--bytes (expand-file-name "a file.txt" downloads)) "first file\n")))
      (kill-buffer buffer)
      (kill-buffer "*fichier /ert-ls/sub*"))))

(ert-deftest fichier-test-download ()
  "fichier-download by path and by URL, byte for byte; overwrite only when asked."
  (let* ((bytes (fichier-test--pattern-bytes 300000 5))
         (source (fichier-test--file "download/source.bin" bytes))
         (uploaded (fichier-test--call "transfer/upload" (list :local source :remote "/ert-download/source.bin")))
         (by-path (fichier-test--file "download/by-path.bin"))
         (into (file-name-as-directory (fichier-test--file "download/by-url/"))))
    (make-directory into t)
    (let ((outcome (fichier-test--command (lambda () (fichier-download "/ert-download/source.bin" by-path)))))
      (should-not (plist-get outcome :error))
      (should (equal (alist-get 'local (plist-get outcome :result)) by-path))
      (should (equal (fichier-test--bytes by-path) bytes)))
    ;; By URL into a directory: the file keeps its remote name.
    (let ((outcome (fichier-test--command (lambda () (fichier-download (alist-get 'url uploaded) into)))))
      (should-not (plist-get outcome :error))
      (should (equal (fichier-test--bytes (expand-file-name "source.bin" into)) bytes)))
    ;; An existing file is kept unless overwrite is asked for.
    (let ((again (fichier-test--command (lambda () (fichier-download (alist-get 'url uploaded) by-path)))))
      (should (equal (fichier-test--kind (plist-get again :error)) "conflict")))
    (fichier-test--file "download/by-path.bin" "something else")
    (let ((forced (fichier-test--command (lambda () (fichier-download (alist-get 'url uploaded) by-path t)))))
      (should-not (plist-get forced :error))
      (should (equal (fichier-test--bytes by-path) bytes)))))

(ert-deftest fichier-test-errors ()
  "An error answer reaches the callback, `fichier-call' and the echo area; the session goes on."
  (let ((pid (fichier-test--pid))
        (answer nil))
    (fichier-request "fs/stat" '(:path "/ert-errors/missing.txt")
                     (lambda (error result) (setq answer (list :error error :result result))))
    (should (fichier-test--wait (lambda () answer)))
    (let ((error (plist-get answer :error)))
      (should (equal (alist-get 'code error) 1300))
      (should (equal (fichier-test--kind error) "not_found"))
      (should (string-match-p "(not_found)\\'" (fichier-error-message error))))
    (let ((signalled (should-error (fichier-test--call "fs/stat" '(:path "/ert-errors/missing.txt"))
                                   :type 'fichier-error)))
      (should (string-match-p "not_found" (cadr signalled)))
      (should (equal (alist-get 'code (nth 2 signalled)) 1300)))
    ;; A command reports it with `message', kind included.
    (let ((shown nil))
      (fichier-test--recording-messages shown
        (let ((outcome (fichier-test--command
                        (lambda () (fichier-download "/ert-errors/missing.txt" (fichier-test--file "missing.txt"))))))
          (should (equal (alist-get 'code (plist-get outcome :error)) 1300))))
      (should (cl-find-if (lambda (text)
                            (string-match-p "\\`fichier: download of /ert-errors/missing\\.txt failed: .*(not_found)\\'" text))
                          shown)))
    ;; Invalid params, an unknown method: still the same process.
    (should (equal (alist-get 'code (nth 2 (should-error (fichier-test--call "fs/stat" '(:pathx 1))
                                                          :type 'fichier-error)))
                   -32602))
    (should (equal (alist-get 'code (nth 2 (should-error (fichier-test--call "no/such-method" nil)
                                                          :type 'fichier-error)))
                   -32601))
    (should (equal (fichier-test--pid) pid))))

(ert-deftest fichier-test-cancel ()
  "fichier-cancel stops a running request: -32800, with what was done."
  (let ((answer nil) (progress nil) id)
    (setq id (fichier-request "debug/transfer" '(:bytes 100000000 :chunks 100 :intervalMs 100)
                              (lambda (error result) (setq answer (list :error error :result result)))
                              (lambda (params) (push params progress))))
    (should (fichier-test--wait (lambda () (cl-find-if (lambda (event) (> (alist-get 'bytesDone event) 0))
                                                        progress))))
    (should (equal (mapcar #'fichier--request-id (fichier--pending-requests)) (list id)))
    (should (eq (fichier-cancel id) t))
    (should (fichier-test--wait (lambda () answer) 10))
    (let ((error (plist-get answer :error)))
      (should (equal (alist-get 'code error) -32800))
      (should (equal (fichier-test--kind error) "cancelled"))
      (should (< 0 (alist-get 'bytesDone (alist-get 'partial (alist-get 'data error))) 100000000))))
  ;; A sleep, through fichier-call's own cancel on timeout.
  (let ((started (float-time)))
    (should-error (fichier-call "debug/sleep" '(:ms 30000) 0.5))
    (should (< (- (float-time) started) 10)))
  (should (fichier-test--wait (lambda () (null (fichier--pending-requests))) 10))
  ;; Unknown and finished ids.
  (should-not (fichier-cancel 987654321)))

(ert-deftest fichier-test-restart-after-kill ()
  "A killed co-process fails its requests; the next request starts a new one."
  (fichier-test--upload-data "/ert-restart/kept.txt" "kept\n")
  (let* ((process (progn (fichier-test--pid) (fichier-process)))
         (pid (process-id process))
         (answer nil))
    (fichier-request "debug/sleep" '(:ms 30000) (lambda (error _) (setq answer (or error 'no-error))))
    (fichier-test--call "ping")  ; the sleep is surely read
    (let ((inhibit-message t))
      (signal-process process 'KILL)
      (should (fichier-test--wait (lambda () answer))))
    (should (equal (fichier-test--kind answer) "server_exited"))
    (should (string-match-p "killed by signal 9" (alist-get 'message answer)))
    (should-not (fichier-process))
    (let ((new-pid (fichier-test--pid)))
      (should (integerp new-pid))
      (should-not (equal new-pid pid)))
    (should (equal (alist-get 'size (fichier-test--call "fs/stat" '(:path "/ert-restart/kept.txt")))
                   5))))

(ert-deftest fichier-test-no-restart-loop ()
  "After 4 quick exits the co-process is not started again until fichier-stop."
  (fichier-stop)
  (let ((fichier-command (list fichier-test-bin "serve" "--no-such-option"))
        (inhibit-message t))
    (dotimes (_ 4)
      (let ((answer nil))
        (fichier-request "ping" nil (lambda (error _) (setq answer (or error 'no-error))))
        (should (fichier-test--wait (lambda () answer)))
        (should (equal (fichier-test--kind answer) "server_exited"))
        (should (string-match-p "exited with status 2: Error: Unknown option '--no-such-option'"
                                (alist-get 'message answer)))))
    (should-error (fichier-request "ping" nil #'ignore) :type 'user-error)
    (fichier-stop)
    (should (integerp (fichier-request "ping" nil #'ignore)))
    (should (fichier-test--wait (lambda () (null (fichier-process))))))
  (fichier-stop)
  (should (integerp (fichier-test--pid))))

(ert-deftest fichier-test-environment-not-argv ()
  "fichier-environment reaches the co-process's environment, never its command line."
  (fichier-stop)
  (let* ((canary "FICHIER_TEST_CANARY=canary-4b1d6c0e")
         (fichier-environment (cons canary fichier-environment)))
    (let* ((pid (fichier-test--pid))
           (environ (fichier-test--bytes (format "/proc/%d/environ" pid)))
           (cmdline (fichier-test--bytes (format "/proc/%d/cmdline" pid))))
      (should (member canary (split-string environ "\0" t)))
      (should-not (string-match-p "canary" cmdline))))
  (fichier-stop))

(ert-deftest fichier-test-stop ()
  "fichier-stop drains the requests in flight, then the process exits 0; cancel mode too."
  (fichier-test--pid)
  (let ((process (fichier-process))
        (answer nil))
    (should-not (process-query-on-exit-flag process))   ; idle: Emacs may exit without asking
    (fichier-request "debug/sleep" '(:ms 400) (lambda (error result) (setq answer (list error result))))
    (should (process-query-on-exit-flag process))       ; busy: Emacs asks before killing it
    (should (equal (fichier-stop) 0))
    (should (equal (alist-get 'sleptMs (nth 1 answer)) 400))
    (should-not (car answer))
    (should (eq (process-status process) 'exit))
    (should (equal (process-exit-status process) 0))
    (should-not (fichier-process)))
  ;; Cancel mode: the request in flight ends cancelled.
  (fichier-test--pid)
  (let ((process (fichier-process))
        (answer nil)
        (started (float-time)))
    (fichier-request "debug/sleep" '(:ms 30000) (lambda (error _) (setq answer (or error 'no-error))))
    (should (equal (fichier-stop t) 0))
    (should (< (- (float-time) started) 10))
    (should (equal (alist-get 'code answer) -32800))
    (should (equal (process-exit-status process) 0)))
  ;; Stopped, it starts again on demand.
  (should (integerp (fichier-test--pid))))

(provide 'fichier-tests)

;;; fichier-tests.el ends here
