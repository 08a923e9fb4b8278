;;; fichier.el --- 1fichier.com through the `fichier serve' co-process  -*- lexical-binding: t; -*-

;; Author: the fichier authors
;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1"))
;; Keywords: comm, files

;; This file is not part of GNU Emacs.

;;; Commentary:

;; An Emacs client for `fichier serve', the co-process of the fichier 1fichier.com client: it
;; speaks JSON-RPC 2.0, one message per line, on the child's stdin and stdout
;; (protocol/PROTOCOL.md in the fichier repository).
;;
;; One co-process runs per Emacs session.  It is started on first use, and again after it
;; dies -- but not in a loop: after 4 exits within 3 minutes it stays down until
;; `fichier-stop'.  Its standard error goes to the hidden buffer " *fichier stderr*".
;;
;; Commands:
;;
;;   `fichier-upload-buffer'  the buffer's file when it visits a saved file, else its text;
;;                            the file's URL goes to the kill ring
;;   `fichier-link'           a file's page URL in the kill ring; with a prefix argument a
;;                            direct download URL, valid 5 minutes
;;   `fichier-ls'             a folder in a listing buffer: RET opens a folder or downloads
;;                            the file at point into `default-directory', ^ goes up, g
;;                            refreshes, w copies the URL at point
;;   `fichier-download'       a file by path or URL to a local file or directory
;;   `fichier-cancel'         cancels a request in flight
;;   `fichier-stop'           lets the work in flight finish, then ends the co-process
;;
;; Setup:
;;
;;   (add-to-list 'load-path "/path/to/fichier/integrations/emacs")
;;   (require 'fichier)
;;   (setq fichier-environment
;;         (list (concat "FICHIER_API_KEY_FILE=" (expand-file-name "~/.config/fichier/key"))))
;;
;; The API key never goes on the command line nor into a message: give it through
;; `fichier-environment' (better a key file than the key itself) or fichier's vault.
;;
;; From Lisp, `fichier-request' sends any method of the protocol and calls back with the
;; error or the result; `fichier-call' waits for the answer.  Messages are plists or alists
;; with symbol keys; JSON arrays are vectors on the way out and lists on the way in; JSON
;; null and false are read as nil.

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'parse-time)
(require 'text-property-search)

(defconst fichier-version "0.1.0"
  "Version of fichier.el, sent to the server in `initialize'.")

;;;; Options

(defgroup fichier nil
  "1fichier.com through the `fichier serve' co-process."
  :group 'comm
  :prefix "fichier-")

(defcustom fichier-command '("fichier" "serve")
  "The co-process: the fichier program and its arguments.
Add \"--sandbox\" \"DIR\" to try everything offline against fichier's
built-in emulator.  Never put an API key here: use
`fichier-environment' or fichier's vault.  A change takes effect
at the next start (after `fichier-stop')."
  :type '(repeat string))

(defcustom fichier-environment nil
  "Extra environment entries \"NAME=VALUE\" for the co-process.
For example \"FICHIER_API_KEY_FILE=/home/me/.config/fichier/key\"
\(a key file is better than FICHIER_API_KEY=KEY: the file may have
mode 0600) or \"FICHIER_KEYFILE=...\" to unlock fichier's vault.
A change takes effect at the next start (after `fichier-stop')."
  :type '(repeat string))

(defcustom fichier-remote-dir "/emacs"
  "The remote folder where `fichier-upload-buffer' puts buffers by default.
Also the folder `fichier-ls' offers first."
  :type 'string)

(defcustom fichier-if-exists "replace"
  "What an upload does when the remote path already names a file.
\"replace\": upload, then delete the old file (its URL dies);
\"duplicate\": keep both (1fichier allows two files of one name);
\"skip\": keep the old file and answer its URL; \"error\": fail."
  :type '(choice (const "replace") (const "duplicate") (const "skip") (const "error")))

(defvar fichier-finished-functions nil
  "Functions called when a command of fichier.el finishes.
Each is called with three arguments: COMMAND (a symbol: `upload',
`link', `ls', `download' or `stop'), ERROR (the error object of
the protocol, an alist, or nil) and RESULT (the command's result).")

(defvar-local fichier-remote-path nil
  "The remote path of this buffer's last upload.")

(defvar-local fichier-url nil
  "The 1fichier URL of this buffer's last upload.")

;;;; The co-process

(define-error 'fichier-error "fichier")

(defconst fichier--max-exits 4
  "Unexpected exits within `fichier--exit-window' after which no restart is tried.")

(defconst fichier--exit-window 180
  "Seconds over which unexpected exits are counted.")

(defconst fichier--exit-grace 10
  "Seconds `fichier-stop' waits for the exit once the input is closed.")

(defconst fichier--stderr-buffer-name " *fichier stderr*"
  "The buffer that receives the co-process's standard error.")

(defvar fichier--process nil
  "The `fichier serve' process of this session, or nil.")

(defvar fichier--next-id 0
  "The last request id used; ids are unique for the whole Emacs session.")

(defvar fichier--exits nil
  "Times (`float-time') of the recent unexpected exits of the co-process.")

(cl-defstruct (fichier--request (:constructor fichier--request-create))
  "A request in flight."
  id method callback progress description)

(defun fichier--local-directory ()
  "A local directory to start the co-process in."
  (let ((home (expand-file-name "~/")))
    (if (and (not (file-remote-p home)) (file-directory-p home)) home "/")))

(defun fichier--stderr-filter (process text)
  "Append TEXT from PROCESS, the co-process's standard error, to its buffer.
The last 4000 characters are also kept in PROCESS's `fichier-tail'
property, for the message when the co-process exits."
  (let ((buffer (process-buffer process))
        (tail (concat (process-get process 'fichier-tail) text)))
    (process-put process 'fichier-tail
                 (if (> (length tail) 4000) (substring tail -4000) tail))
    (when (buffer-live-p buffer)
      (with-current-buffer buffer
        (save-excursion
          (goto-char (point-max))
          (insert text)
          (when (> (buffer-size) 200000)
            (delete-region (point-min) (- (point-max) 100000))))))))

(defun fichier--start ()
  "Start the co-process and return it.
Signals `user-error' when it cannot be started, or when it exited
too often lately."
  (unless (fboundp 'json-serialize)
    (user-error "fichier: this Emacs has no native JSON support"))
  (let ((now (float-time)))
    (setq fichier--exits (cl-remove-if (lambda (at) (>= (- now at) fichier--exit-window))
                                       fichier--exits)))
  (when (>= (length fichier--exits) fichier--max-exits)
    (user-error (concat "fichier: fichier serve exited %d times within %d s; "
                        "not restarting (M-x fichier-stop resets)")
                (length fichier--exits) fichier--exit-window))
  (let* ((program (car fichier-command))
         (default-directory (fichier--local-directory))
         (process-environment (append fichier-environment process-environment)))
    (unless (and program (executable-find program))
      (user-error "fichier: cannot run %s (customize `fichier-command')" (or program "nothing")))
    (let* ((stderr (make-pipe-process :name "fichier stderr"
                                      :buffer (get-buffer-create fichier--stderr-buffer-name)
                                      :coding 'utf-8-unix
                                      :noquery t
                                      :filter #'fichier--stderr-filter
                                      :sentinel #'ignore))
           (process (condition-case err
                        (make-process :name "fichier"
                                      :command fichier-command
                                      :connection-type 'pipe
                                      :coding 'binary
                                      :noquery t
                                      :stderr stderr
                                      :filter #'fichier--filter
                                      :sentinel #'fichier--sentinel)
                      (error (delete-process stderr)
                             (user-error "fichier: cannot start %s: %s"
                                         program (error-message-string err))))))
      (process-put process 'fichier-pending (make-hash-table))
      (process-put process 'fichier-stderr stderr)
      (setq fichier--process process)
      ;; Pipelined: requests may follow before the answer.
      (fichier--send-request
       process "initialize"
       (list :protocolVersions [1]
             ;; The server ends by itself if this Emacs dies without closing the pipe.
             :processId (emacs-pid)
             :client (list :name "fichier.el" :version fichier-version)
             :capabilities '(:events (:progress t)))
       (lambda (error result)
         (if error
             (unless (equal (alist-get 'kind (alist-get 'data error)) "server_exited")
               (message "fichier: initialize failed: %s" (fichier-error-message error)))
           (process-put process 'fichier-server-info result))))
      process)))

(defun fichier--live-process ()
  "The live co-process, started if it is not running."
  (if (process-live-p fichier--process)
      fichier--process
    (fichier--start)))

(defun fichier-process ()
  "The running `fichier serve' process, or nil."
  (and (process-live-p fichier--process) fichier--process))

(defun fichier-server-info ()
  "The running server's answer to `initialize' (an alist), or nil."
  (and (process-live-p fichier--process)
       (process-get fichier--process 'fichier-server-info)))

(defun fichier--encode (object)
  "OBJECT as one protocol line: UTF-8 bytes ending in a newline."
  (concat (encode-coding-string (json-serialize object) 'utf-8-unix t) "\n"))

(defun fichier--update-query-flag (process)
  "Ask before killing PROCESS with Emacs only while it has requests in flight."
  (set-process-query-on-exit-flag
   process (> (hash-table-count (process-get process 'fichier-pending)) 0)))

(defun fichier--send-request (process method params callback &optional progress description)
  "Send METHOD with PARAMS to PROCESS and return the new request id.
CALLBACK is called once with (ERROR RESULT); PROGRESS, if non-nil,
with the params of each `event/progress' of the request.
DESCRIPTION says what the request is for (for `fichier-cancel')."
  (let* ((id (cl-incf fichier--next-id))
         (line (fichier--encode (list :jsonrpc "2.0" :id id :method method
                                      :params params)))
         (pending (process-get process 'fichier-pending)))
    ;; Registered before the write: sending a long line may run the filter meanwhile.
    (puthash id (fichier--request-create :id id :method method :callback callback
                                         :progress progress :description description)
             pending)
    (fichier--update-query-flag process)
    (condition-case err
        (process-send-string process line)
      (error
       (remhash id pending)
       (fichier--update-query-flag process)
       (user-error "fichier: cannot write to fichier serve: %s" (error-message-string err))))
    id))

(defun fichier-request (method params callback &optional on-progress)
  "Send METHOD with PARAMS to `fichier serve'; return the request id.
PARAMS is a plist (:path \"/docs\"), an alist with symbol keys, a
hash table or nil; JSON arrays are vectors, false is `:false'.
CALLBACK is called once, from the process filter, with two
arguments: ERROR (the protocol's error object, an alist with
`code', `message' and `data', or nil) and RESULT (an alist).
ON-PROGRESS, if non-nil, is called with the params (an alist) of
each `event/progress' of this request: `phase', `bytesDone',
`bytesTotal', `rateBps' ...  The co-process is started if needed;
if it exits before answering, CALLBACK gets an error of kind
\"server_exited\"."
  (fichier--send-request (fichier--live-process) method params callback on-progress
                         (format "%s %s" method (fichier--describe-params params))))

(defun fichier--describe-params (params)
  "A short description of PARAMS for `fichier-cancel'."
  (let ((value (cond ((and (consp params) (keywordp (car params)))
                      (or (plist-get params :remote) (plist-get params :path)
                          (plist-get params :url) (plist-get params :local)))
                     ((consp params)
                      (or (alist-get 'remote params) (alist-get 'path params)
                          (alist-get 'url params) (alist-get 'local params))))))
    (if (stringp value) value "")))

(defun fichier-call (method &optional params timeout)
  "Send METHOD with PARAMS, wait for the answer and return the result.
An error answer signals `fichier-error' with the message and the
error object.  TIMEOUT, in seconds, cancels the request and signals
an error when no answer came in time; \\[keyboard-quit] cancels it too."
  (let* ((done nil) (failure nil) (value nil)
         (id (fichier-request method params
                              (lambda (error result)
                                (setq done t failure error value result))))
         (deadline (and timeout (+ (float-time) timeout))))
    (unwind-protect
        (while (not done)
          (when (and deadline (> (float-time) deadline))
            (error "fichier: no answer to %s within %s s" method timeout))
          (accept-process-output nil 0.05))
      (unless done
        (fichier-cancel id)))
    (when failure
      (signal 'fichier-error (list (fichier-error-message failure) failure)))
    value))

(defun fichier--processes ()
  "Every live co-process of this session (a stopping one too)."
  (cl-remove-if-not (lambda (process)
                      (and (process-live-p process) (process-get process 'fichier-pending)))
                    (process-list)))

(defun fichier--pending-requests ()
  "The requests in flight, oldest first."
  (sort (cl-loop for process in (fichier--processes)
                 append (hash-table-values (process-get process 'fichier-pending)))
        (lambda (a b) (< (fichier--request-id a) (fichier--request-id b)))))

(defun fichier-cancel (id)
  "Cancel the request ID (from `fichier-request'); return t if it was in flight.
The request's callback then gets error -32800 (kind \"cancelled\"),
unless it finished first.  Interactively, choose among the
requests in flight."
  (interactive
   (let ((requests (mapcar (lambda (request)
                             (cons (format "%d %s" (fichier--request-id request)
                                           (or (fichier--request-description request)
                                               (fichier--request-method request)))
                                   (fichier--request-id request)))
                           (fichier--pending-requests))))
     (unless requests
       (user-error "fichier: no request in flight"))
     (list (cdr (assoc (completing-read "Cancel request: " requests nil t nil nil
                                        (car (car (last requests))))
                       requests)))))
  (let ((process (cl-find-if (lambda (process)
                               (gethash id (process-get process 'fichier-pending)))
                             (fichier--processes))))
    (when process
      (process-send-string process (fichier--encode (list :jsonrpc "2.0" :method "$/cancel"
                                                          :params (list :id id))))
      t)))

;;;; Reading the co-process's output

(defun fichier--filter (process chunk)
  "Process filter of the co-process: CHUNK is raw bytes from PROCESS.
A line may arrive in several chunks and a chunk may hold several
lines: the pieces of an unfinished line wait in the process's
`fichier-pieces' property until its newline arrives.  Each
complete line is decoded as UTF-8 and dispatched."
  (let ((start 0) (lines nil) newline)
    (while (setq newline (string-search "\n" chunk start))
      (let ((piece (substring chunk start newline))
            (pieces (process-get process 'fichier-pieces)))
        (push (if pieces (apply #'concat (nreverse (cons piece pieces))) piece) lines)
        (process-put process 'fichier-pieces nil))
      (setq start (1+ newline)))
    (when (< start (length chunk))
      (process-put process 'fichier-pieces
                   (cons (substring chunk start) (process-get process 'fichier-pieces))))
    ;; The state is consistent before any callback runs (a callback may read output).
    (dolist (line (nreverse lines))
      (fichier--dispatch process line))))

(defun fichier--call-safely (function &rest arguments)
  "Call FUNCTION with ARGUMENTS; an error in it is reported, not propagated."
  (condition-case-unless-debug err
      (apply function arguments)
    (error (message "fichier: error in a callback: %s" (error-message-string err)))))

(defun fichier--dispatch (process line)
  "Handle LINE, one protocol line (bytes) from PROCESS."
  (unless (string-match-p "\\`[ \t\r]*\\'" line)
    (let ((message (condition-case nil
                       (json-parse-string (decode-coding-string line 'utf-8-unix t)
                                          :object-type 'alist :array-type 'list
                                          :null-object nil :false-object nil)
                     (json-error nil))))
      (cond
       ((not (consp message))
        (message "fichier: ignored a line that is not a JSON object: %.80s" line))
       ((and (assq 'id message) (or (assq 'result message) (assq 'error message)))
        (let* ((pending (process-get process 'fichier-pending))
               (id (alist-get 'id message))
               (request (and id (gethash id pending))))
          (cond
           (request
            (remhash id pending)
            (fichier--update-query-flag process)
            (fichier--call-safely (fichier--request-callback request)
                                  (alist-get 'error message) (alist-get 'result message)))
           ((assq 'error message)
            (message "fichier: the server reported: %s"
                     (fichier-error-message (alist-get 'error message)))))))
       ((equal (alist-get 'method message) "event/progress")
        (let* ((params (alist-get 'params message))
               (request (gethash (alist-get 'requestId params)
                                 (process-get process 'fichier-pending))))
          (when (and request (fichier--request-progress request))
            (fichier--call-safely (fichier--request-progress request) params))))))))

(defun fichier--exit-description (process)
  "How PROCESS ended, with the error line it wrote to stderr if any."
  (let* ((code (process-exit-status process))
         (how (if (eq (process-status process) 'signal)
                  (format "fichier serve was killed by signal %d" code)
                (format "fichier serve exited with status %d" code)))
         (stderr (process-get process 'fichier-stderr))
         (lines (and stderr (split-string (or (process-get stderr 'fichier-tail) "")
                                          "\n" t "[ \t\r]+")))
         (said (or (car (last (cl-remove-if-not (lambda (line)
                                                  (let ((case-fold-search t))
                                                    (string-match-p "\\`error\\b" line)))
                                                lines)))
                   (car (last lines)))))
    (if said (format "%s: %s" how said) how)))

(defun fichier--sentinel (process _event)
  "Sentinel of the co-process: when PROCESS ended, fail its requests in flight."
  (unless (process-live-p process)
    (when (eq process fichier--process)
      (setq fichier--process nil))
    (let ((stopping (process-get process 'fichier-stopping))
          (stderr (process-get process 'fichier-stderr))
          (reads 0))
      (unless stopping
        (push (float-time) fichier--exits))
      ;; Its last words on stderr may still be in the pipe.
      (while (and (process-live-p stderr) (< reads 10) (accept-process-output stderr 0.05))
        (cl-incf reads))
      (let* ((why (fichier--exit-description process))
             (error `((code . -32603) (message . ,why)
                      (data (kind . "server_exited") (retryable . t))))
             (pending (process-get process 'fichier-pending))
             (requests (sort (hash-table-values pending)
                             (lambda (a b) (< (fichier--request-id a) (fichier--request-id b))))))
        (clrhash pending)
        (unless stopping
          (message "fichier: %s" why))
        (dolist (request requests)
          (fichier--call-safely (fichier--request-callback request) error nil))))))

;;;; Helpers of the commands

(defun fichier-error-message (error)
  "A one-line text for ERROR, an error object: its message and its kind."
  (let* ((data (and (consp error) (alist-get 'data error)))
         (kind (and (consp data) (alist-get 'kind data)))
         (text (or (and (consp error) (alist-get 'message error)) (format "%S" error))))
    (if kind (format "%s (%s)" text kind) text)))

(defun fichier--finished (command error result)
  "Run `fichier-finished-functions' with COMMAND, ERROR and RESULT."
  (run-hook-wrapped 'fichier-finished-functions
                    (lambda (function)
                      (fichier--call-safely function command error result)
                      nil)))

(defun fichier--fail (command what error)
  "Report that COMMAND (WHAT, for the message) failed with ERROR."
  (message "fichier: %s failed: %s" what (fichier-error-message error))
  (fichier--finished command error nil))

(defun fichier--local-error (kind text)
  "An error object made here (not by the server) of KIND saying TEXT."
  `((code . -32602) (message . ,text) (data (kind . ,kind) (retryable . nil))))

(defun fichier--quiet-message (format-string &rest arguments)
  "Show FORMAT-STRING with ARGUMENTS in the echo area without logging it."
  (let ((message-log-max nil))
    (apply #'message format-string arguments)))

(defun fichier--human-size (bytes)
  "BYTES as a short human text (SI units)."
  (if (numberp bytes) (file-size-human-readable bytes 'si " " "B") "-"))

(defun fichier--progress-reporter (label)
  "Return a function showing LABEL and the progress in the echo area."
  (lambda (params)
    (let ((phase (or (alist-get 'phase params) ""))
          (done (alist-get 'bytesDone params))
          (total (alist-get 'bytesTotal params)))
      (cond
       ((and (numberp done) (numberp total) (> total 0))
        (fichier--quiet-message "fichier: %s %s %d%% (%s of %s)" label phase
                                (floor (* 100 done) total)
                                (fichier--human-size done) (fichier--human-size total)))
       ((numberp done)
        (fichier--quiet-message "fichier: %s %s %s" label phase (fichier--human-size done)))))))

(defun fichier--url-p (text)
  "Whether TEXT is an http(s) URL."
  (and (stringp text) (string-match-p "\\`https?://" text)))

(defun fichier--normalize-path (path)
  "PATH as an absolute remote path without repeated or final slashes."
  (let ((parts (split-string (string-trim path) "/" t)))
    (concat "/" (string-join parts "/"))))

(defun fichier--join (folder name)
  "The remote path of NAME inside FOLDER."
  (let ((folder (fichier--normalize-path folder)))
    (concat (if (equal folder "/") "" folder) "/" name)))

(defun fichier--parent (path)
  "The remote folder above PATH (the root stays the root)."
  (let ((parts (split-string path "/" t)))
    (concat "/" (string-join (butlast parts) "/"))))

(defun fichier--local-target (target)
  "TARGET, a local file or directory name, as an absolute path for the server.
An existing directory, or a name ending in /, keeps its final slash.
Nil or empty means `default-directory'."
  (let* ((target (if (or (null target) (string-empty-p target)) default-directory target))
         (expanded (expand-file-name target)))
    (when (file-remote-p expanded)
      (user-error "fichier: %s is not a local file (the server writes local files only)" target))
    (if (or (directory-name-p target) (file-directory-p expanded))
        (file-name-as-directory expanded)
      expanded)))

(defun fichier--entry-at-point ()
  "The entry (alist) of the `fichier-ls' line at point, or nil."
  (get-text-property (line-beginning-position) 'fichier-entry))

(defun fichier--default-target ()
  "A likely file to act on, or nil.
The file at point in a listing, this buffer's last upload, or a URL
at point."
  (let ((entry (and (derived-mode-p 'fichier-ls-mode) (fichier--entry-at-point))))
    (cond
     ((and entry (equal (alist-get 'type entry) "file")) (alist-get 'url entry))
     (fichier-url fichier-url)
     (t (let ((url (thing-at-point 'url t)))
          (and (fichier--url-p url) url))))))

(defun fichier--read-target (prompt)
  "Read a remote path or URL with PROMPT, offering `fichier--default-target'."
  (let* ((default (fichier--default-target))
         (answer (read-string (format-prompt prompt default) nil nil default)))
    (when (string-empty-p answer)
      (user-error "fichier: give a remote path or a URL"))
    answer))

;;;; Upload

(defun fichier--upload-name ()
  "The file name a buffer's upload gets by default."
  (if buffer-file-name
      (file-name-nondirectory buffer-file-name)
    (let ((name (replace-regexp-in-string
                 "[/\\:*?\"<>|]+" "-"
                 (string-trim (buffer-name) "[ *]+" "[ *]+"))))
      (when (string-empty-p name)
        (setq name "buffer"))
      (if (file-name-extension name) name (concat name ".txt")))))

(defun fichier--buffer-coding ()
  "The coding system for the bytes of this buffer's text."
  (let ((coding buffer-file-coding-system))
    (if (or (null coding)
            (memq (coding-system-base coding) '(undecided prefer-utf-8)))
        (coding-system-change-text-conversion (or coding 'undecided-unix) 'utf-8)
      coding)))

(defun fichier--data-limit ()
  "How many bytes of base64 fit in one request line."
  (let ((limit (or (alist-get 'maxLineBytes (alist-get 'limits (fichier-server-info)))
                   1048576)))
    (- limit 8192)))

(defun fichier--upload-params (remote)
  "The `transfer/upload' params for this buffer to REMOTE, and a temporary file.
Returns (PARAMS . TEMPORARY-FILE): PARAMS uploads the visited file
by path when it is saved and local, else the buffer's text, as
`data' (base64), or through TEMPORARY-FILE (mode 0600, to be deleted
after the upload) when the text is too long for one protocol line."
  (let ((params (list :remote remote :ifExists fichier-if-exists))
        (file buffer-file-name))
    (if (and file (not (buffer-modified-p)) (not (file-remote-p file)) (file-regular-p file))
        (cons (append params (list :local (expand-file-name file))) nil)
      (let ((bytes (save-restriction
                     (widen)
                     (encode-coding-string (buffer-substring-no-properties (point-min) (point-max))
                                           (fichier--buffer-coding) t))))
        (when (zerop (length bytes))
          (user-error "fichier: the buffer is empty (1fichier refuses empty files)"))
        (if (<= (* 4 (/ (+ (length bytes) 2) 3)) (fichier--data-limit))
            (cons (append params (list :data (base64-encode-string bytes t))) nil)
          (let ((temporary (with-file-modes #o600 (make-temp-file "fichier-upload-"))))
            (let ((coding-system-for-write 'no-conversion))
              (write-region bytes nil temporary nil 'silent))
            (cons (append params (list :local temporary)) temporary)))))))

;;;###autoload
(defun fichier-upload-buffer (&optional remote)
  "Upload the current buffer to 1fichier and put the file's URL in the kill ring.
A buffer visiting a saved local file uploads that file; otherwise
its text goes up (encoded with its coding system).  REMOTE is the
remote path, or a folder ending in /; by default the file goes to
`fichier-remote-dir' under the buffer's file name.  Interactively,
a prefix argument asks for REMOTE.  Progress shows in the echo
area; `fichier-if-exists' says what happens to an older file of
that path."
  (interactive
   (list (and current-prefix-arg
              (let ((default (fichier--join fichier-remote-dir (fichier--upload-name))))
                (read-string (format-prompt "Upload to" default) nil nil default)))))
  (let* ((buffer (current-buffer))
         (name (fichier--upload-name))
         (remote (cond ((or (null remote) (string-empty-p remote))
                        (fichier--join fichier-remote-dir name))
                       ((string-suffix-p "/" remote) (fichier--join remote name))
                       (t (fichier--normalize-path remote))))
         (prepared (fichier--upload-params remote))
         (temporary (cdr prepared))
         (label (file-name-nondirectory remote)))
    (message "fichier: uploading %s" remote)
    (condition-case err
        (fichier--send-request
         (fichier--live-process) "transfer/upload" (car prepared)
         (lambda (error result)
           (when temporary
             (ignore-errors (delete-file temporary)))
           (if error
               (fichier--fail 'upload (format "upload of %s" remote) error)
             (let ((url (alist-get 'url result)))
               (when (buffer-live-p buffer)
                 (with-current-buffer buffer
                   (setq fichier-remote-path (alist-get 'path result)
                         fichier-url url)))
               (kill-new url)
               (message "fichier: %s %s %s (URL in the kill ring)" (alist-get 'path result)
                        (if (alist-get 'skipped result) "was already there:" "→") url)
               (fichier--finished 'upload nil result))))
         (fichier--progress-reporter label)
         (format "upload of %s" remote))
      ((error quit)
       (when temporary
         (ignore-errors (delete-file temporary)))
       (signal (car err) (cdr err))))))

;;;; Link

;;;###autoload
(defun fichier-link (target &optional direct)
  "Put the 1fichier page URL of TARGET, a remote path or URL, in the kill ring.
With DIRECT (interactively, a prefix argument) a direct download
URL instead, valid 5 minutes (`link/get'): anyone holding it can
download the file.  Interactively the default is the file at point
in a listing, else this buffer's last upload."
  (interactive (list (fichier--read-target (if current-prefix-arg "Direct link of" "Link of"))
                     current-prefix-arg))
  (let ((params (if (fichier--url-p target) (list :url target)
                  (list :path (fichier--normalize-path target)))))
    (if direct
        (fichier-request
         "link/get" params
         (lambda (error result)
           (if error
               (fichier--fail 'link (format "link of %s" target) error)
             (kill-new (alist-get 'url result))
             ;; Not logged in *Messages*: the URL grants access to the file.
             (fichier--quiet-message
              "fichier: %s (valid until %s, in the kill ring)" (alist-get 'url result)
              (fichier--format-date (alist-get 'expiresAt result) "%H:%M:%S"))
             (fichier--finished 'link nil result))))
      (fichier-request
       "fs/stat" params
       (lambda (error result)
         (cond
          (error (fichier--fail 'link (format "link of %s" target) error))
          ((not (equal (alist-get 'type result) "file"))
           (fichier--fail 'link (format "link of %s" target)
                          (fichier--local-error
                           "not_found" (format "%s is a folder, not a file" target))))
          (t
           (kill-new (alist-get 'url result))
           (message "fichier: %s (in the kill ring)" (alist-get 'url result))
           (fichier--finished 'link nil result))))))))

;;;; Download

;;;###autoload
(defun fichier-download (source &optional target overwrite)
  "Download SOURCE, a remote path or URL, to TARGET, a local file or directory.
TARGET defaults to `default-directory'; in a directory the file
keeps its remote name.  An existing file is replaced only with
OVERWRITE (interactively: a prefix argument, or a yes when asked).
Progress shows in the echo area."
  (interactive
   (let* ((source (fichier--read-target "Download"))
          (target (read-file-name "Download to: " default-directory nil nil))
          (expanded (expand-file-name target)))
     (list source target
           (or current-prefix-arg
               (and (file-regular-p expanded)
                    (y-or-n-p (format "Replace %s? " (abbreviate-file-name expanded))))))))
  (let* ((local (fichier--local-target target))
         (params (append (if (fichier--url-p source) (list :url source)
                           (list :remote (fichier--normalize-path source)))
                         (list :local local :overwrite (if overwrite t :false))))
         (label (if (fichier--url-p source) source (file-name-nondirectory source))))
    (message "fichier: downloading %s" source)
    (fichier--send-request
     (fichier--live-process) "transfer/download" params
     (lambda (error result)
       (if error
           (fichier--fail 'download (format "download of %s" source) error)
         (message "fichier: downloaded %s to %s (%s)" source (alist-get 'local result)
                  (fichier--human-size (alist-get 'size result)))
         (fichier--finished 'download nil result)))
     (fichier--progress-reporter label)
     (format "download of %s" source))))

;;;; Listing

(defface fichier-header '((t :inherit bold))
  "Face of the first line of a `fichier-ls' buffer.")

(defface fichier-folder '((t :inherit font-lock-function-name-face))
  "Face of folders in a `fichier-ls' buffer.")

(defface fichier-url '((t :inherit shadow))
  "Face of the URLs in a `fichier-ls' buffer.")

(defvar-local fichier-ls-path nil
  "The remote folder this listing buffer shows.")

(defvar-local fichier--ls-generation 0
  "Counts the refreshes of a listing; answers to older ones are dropped.")

(defvar fichier-ls-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "RET") #'fichier-ls-open)
    (define-key map "^" #'fichier-ls-up)
    (define-key map "w" #'fichier-ls-copy-url)
    (define-key map "n" #'next-line)
    (define-key map "p" #'previous-line)
    map)
  "Keys of `fichier-ls-mode'.")

(define-derived-mode fichier-ls-mode special-mode "Fichier"
  "A remote folder of 1fichier: folders first, then files with size, date and URL.
\\<fichier-ls-mode-map>\\[fichier-ls-open] opens the folder at point or downloads the file at
point into `default-directory', \\[fichier-ls-up] goes up, \\[revert-buffer] refreshes,
\\[fichier-ls-copy-url] copies the URL at point.

\\{fichier-ls-mode-map}"
  (setq-local revert-buffer-function #'fichier--ls-revert)
  (setq-local truncate-lines t))

(defun fichier--format-date (date &optional format)
  "DATE, an ISO 8601 text, in local time with FORMAT (default: date and minutes)."
  (if (not (stringp date))
      ""
    (condition-case nil
        (format-time-string (or format "%Y-%m-%d %H:%M") (parse-iso8601-time-string date))
      (error date))))

(defun fichier--ls-render (path folders files complete)
  "Fill the current buffer with the listing of PATH: FOLDERS, FILES, COMPLETE."
  (let* ((inhibit-read-only t)
         (names (append (mapcar (lambda (folder) (concat (alist-get 'name folder) "/")) folders)
                        (mapcar (lambda (file) (alist-get 'name file)) files)))
         (width (min 48 (apply #'max 4 (mapcar #'string-width names))))
         (line (count-lines (point-min) (point)))
         (column (current-column))
         (at (alist-get 'name (fichier--entry-at-point))))
    (erase-buffer)
    (insert (propertize (format "%s  (%d folder%s, %d file%s)" path
                                (length folders) (if (= (length folders) 1) "" "s")
                                (length files) (if (= (length files) 1) "" "s"))
                        'face 'fichier-header)
            "\n")
    (unless complete
      (insert "  (1fichier listed only part of this folder)\n"))
    (insert "\n")
    (dolist (folder folders)
      (let ((start (point)))
        (insert "  " (propertize (concat (alist-get 'name folder) "/") 'face 'fichier-folder) "\n")
        (put-text-property start (point) 'fichier-entry folder)))
    (dolist (file files)
      (let ((start (point)))
        (insert "  "
                (truncate-string-to-width (alist-get 'name file) width 0 ?\s "…")
                "  " (string-pad (fichier--human-size (alist-get 'size file)) 9 nil t)
                "  " (fichier--format-date (alist-get 'date file))
                "  " (propertize (or (alist-get 'url file) "") 'face 'fichier-url)
                "\n")
        (put-text-property start (point) 'fichier-entry file)))
    ;; Back to the same entry after a refresh, else to the same line.
    (goto-char (point-min))
    (let ((found (and at (text-property-search-forward
                          'fichier-entry at
                          (lambda (name entry) (equal name (alist-get 'name entry)))))))
      (if found
          (goto-char (prop-match-beginning found))
        (forward-line (if (> line 0) line 3))
        (move-to-column column)))))

(defun fichier--ls-refresh (buffer)
  "List the folder of the listing BUFFER again and show it there."
  (let* ((path (buffer-local-value 'fichier-ls-path buffer))
         (generation (with-current-buffer buffer (cl-incf fichier--ls-generation)))
         (folders nil) (files nil))
    (cl-labels
        ((page (params)
           (fichier-request
            "fs/list" params
            (lambda (error result)
              (cond
               ((not (and (buffer-live-p buffer)
                          (= generation (buffer-local-value 'fichier--ls-generation buffer)))))
               (error
                (fichier--fail 'ls (format "listing of %s" path) error))
               ((stringp (alist-get 'nextCursor result))
                (setq folders (append folders (alist-get 'folders result))
                      files (append files (alist-get 'files result)))
                (page (list :cursor (alist-get 'nextCursor result) :pageSize 5000)))
               (t
                (setq folders (append folders (alist-get 'folders result))
                      files (append files (alist-get 'files result)))
                (with-current-buffer buffer
                  (let ((window (get-buffer-window buffer)))
                    (if window
                        (with-selected-window window
                          (fichier--ls-render path folders files (alist-get 'complete result)))
                      (fichier--ls-render path folders files (alist-get 'complete result)))))
                (message "fichier: %s: %d folder%s, %d file%s" path
                         (length folders) (if (= (length folders) 1) "" "s")
                         (length files) (if (= (length files) 1) "" "s"))
                (fichier--finished 'ls nil `((buffer . ,buffer) (path . ,path)
                                             (folders . ,folders) (files . ,files)))))))))
      (page (list :path path :pageSize 5000)))))

(defun fichier--ls-revert (&rest _)
  "`revert-buffer-function' of listings: list the folder again."
  (fichier--ls-refresh (current-buffer)))

;;;###autoload
(defun fichier-ls (&optional path)
  "List the remote folder PATH (default `fichier-remote-dir') in a buffer.
The buffer, named *fichier PATH*, is in `fichier-ls-mode'; its
`default-directory' (where RET downloads files) is the one of the
buffer this command was called from.  Returns the buffer."
  (interactive
   (list (read-string (format-prompt "List folder" fichier-remote-dir) nil nil fichier-remote-dir)))
  (let* ((path (fichier--normalize-path (if (or (null path) (string-empty-p path))
                                            fichier-remote-dir
                                          path)))
         (directory (if (file-remote-p default-directory)
                        (fichier--local-directory)
                      default-directory))
         (name (format "*fichier %s*" path))
         (buffer (get-buffer name)))
    (unless buffer
      (setq buffer (get-buffer-create name))
      (with-current-buffer buffer
        (fichier-ls-mode)
        (setq default-directory directory)
        (let ((inhibit-read-only t))
          (insert (format "Listing %s …\n" path)))))
    (with-current-buffer buffer
      (setq fichier-ls-path path))
    (pop-to-buffer-same-window buffer)
    (fichier--ls-refresh buffer)
    buffer))

(defun fichier-ls-open ()
  "Open the folder at point, or download the file at point.
The file goes to `default-directory' under its remote name."
  (interactive nil fichier-ls-mode)
  (let ((entry (fichier--entry-at-point)))
    (cond
     ((null entry) (user-error "fichier: no file or folder on this line"))
     ((equal (alist-get 'type entry) "folder")
      (fichier-ls (fichier--join fichier-ls-path (alist-get 'name entry))))
     (t
      (let ((target (expand-file-name (alist-get 'name entry) default-directory)))
        (when (and (file-exists-p target)
                   (not (y-or-n-p (format "Replace %s? " (abbreviate-file-name target)))))
          (user-error "fichier: not downloaded"))
        (fichier-download (or (alist-get 'url entry)
                              (fichier--join fichier-ls-path (alist-get 'name entry)))
                          target (file-exists-p target)))))))

(defun fichier-ls-up ()
  "List the folder above this one."
  (interactive nil fichier-ls-mode)
  (if (equal fichier-ls-path "/")
      (user-error "fichier: this is the root")
    (fichier-ls (fichier--parent fichier-ls-path))))

(defun fichier-ls-copy-url ()
  "Put the URL of the file at point in the kill ring."
  (interactive nil fichier-ls-mode)
  (let ((url (alist-get 'url (fichier--entry-at-point))))
    (unless url
      (user-error "fichier: no file on this line"))
    (kill-new url)
    (message "fichier: %s (in the kill ring)" url)))

;;;; Stop

;;;###autoload
(defun fichier-stop (&optional cancel)
  "Stop the co-process: let its requests in flight finish, then end it.
Sends `shutdown' (mode \"drain\"; with CANCEL, interactively a
prefix argument, mode \"cancel\": the requests in flight end
cancelled), closes its input once answered and waits for it to
exit.  \\[keyboard-quit] stops waiting; it then finishes in the
background.  Also forgets past crashes, so the next command starts
a new co-process.  Returns the exit status, or nil."
  (interactive "P")
  (setq fichier--exits nil)
  (let ((process fichier--process))
    (setq fichier--process nil)
    (if (not (process-live-p process))
        (progn
          (message "fichier: not running")
          (fichier--finished 'stop nil nil)
          nil)
      (process-put process 'fichier-stopping t)
      (let ((in-flight (hash-table-count (process-get process 'fichier-pending))))
        (fichier--send-request process "shutdown" (list :mode (if cancel "cancel" "drain"))
                               (lambda (_error _result)
                                 (when (process-live-p process)
                                   (process-put process 'fichier-eof-at (float-time))
                                   (ignore-errors (process-send-eof process)))))
        (when (> in-flight 0)
          (message "fichier: %s %d request%s in flight (C-g: they finish in the background)"
                   (if cancel "cancelling" "waiting for") in-flight (if (= in-flight 1) "" "s"))))
      (with-local-quit
        (while (process-live-p process)
          (accept-process-output process 0.1)
          ;; Answered and without input, it exits at once; if not, it is stuck.
          (let ((eof-at (process-get process 'fichier-eof-at)))
            (when (and eof-at (> (- (float-time) eof-at) fichier--exit-grace))
              (delete-process process)))))
      (if (process-live-p process)
          (progn
            (message "fichier: the co-process finishes in the background")
            nil)
        (let ((status (process-exit-status process)))
          (if (and (eq (process-status process) 'exit) (zerop status))
              (message "fichier: stopped")
            (message "fichier: %s" (fichier--exit-description process)))
          (fichier--finished 'stop nil `((status . ,status)))
          status)))))

(provide 'fichier)

;;; fichier.el ends here
