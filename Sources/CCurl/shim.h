// Typed wrappers around libcurl's variadic entry points, which Swift cannot call directly.
#ifndef FICHIER_CCURL_SHIM_H
#define FICHIER_CCURL_SHIM_H

#include <curl/curl.h>

static inline CURLcode fichier_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode fichier_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode fichier_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode fichier_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode fichier_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode fichier_curl_easy_setopt_read_callback(CURL *handle, curl_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}
static inline CURLcode fichier_curl_easy_setopt_write_callback(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}
static inline CURLcode fichier_curl_easy_setopt_header_callback(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}
static inline CURLcode fichier_curl_easy_setopt_xferinfo_callback(CURL *handle, curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
static inline CURLcode fichier_curl_easy_setopt_seek_callback(CURL *handle, curl_seek_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, callback);
}
static inline CURLcode fichier_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode fichier_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode fichier_curl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode fichier_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLMcode fichier_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}
static inline CURLSHcode fichier_curl_share_setopt_long(CURLSH *handle, CURLSHoption option, long value) {
    return curl_share_setopt(handle, option, value);
}
static inline CURLSHcode fichier_curl_share_setopt_lock(CURLSH *handle, curl_lock_function callback) {
    return curl_share_setopt(handle, CURLSHOPT_LOCKFUNC, callback);
}
static inline CURLSHcode fichier_curl_share_setopt_unlock(CURLSH *handle, curl_unlock_function callback) {
    return curl_share_setopt(handle, CURLSHOPT_UNLOCKFUNC, callback);
}
static inline CURLSHcode fichier_curl_share_setopt_pointer(CURLSH *handle, CURLSHoption option, void *value) {
    return curl_share_setopt(handle, option, value);
}

/// CURLPAUSE_CONT and friends are macros Swift cannot import when they expand to expressions.
static const int FICHIER_CURLPAUSE_CONT = CURLPAUSE_CONT;
static const size_t FICHIER_CURL_READFUNC_ABORT = CURL_READFUNC_ABORT;
static const size_t FICHIER_CURL_READFUNC_PAUSE = CURL_READFUNC_PAUSE;
static const size_t FICHIER_CURL_WRITEFUNC_PAUSE = CURL_WRITEFUNC_PAUSE;

#endif
