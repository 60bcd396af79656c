using System;
using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace BatchOps.Engine.Processing
{
    /// <summary>
    /// Recognises a processor failure that means "too many requests": an exception carrying HTTP 429 (an
    /// HttpRequestException's StatusCode, a WebException's or Invoke-RestMethod's response), its Retry-After, or
    /// an error text that says 429 / Too Many Requests / rate limit. Such a failure pauses dispatch for every
    /// worker instead of using up the item's retries.
    /// </summary>
    public static class RateLimitSignal
    {
        /// <summary>The error type of rate-limit lines in the error log.</summary>
        public const string ErrorType = ErrorEntry.RateLimited;

        private const int TooManyRequests = 429;

        private static readonly Regex RateLimitText = new Regex(
            @"\b(HTTP|status|code)\b\D{0,20}\b429\b|\b429\b\W{0,3}too many|too many requests|\brate[ -]?limit(ed|ing)?\b",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private static readonly Regex RetryAfterText = new Regex(
            @"retry[- ]after[:=]?\s*(?<seconds>\d+(\.\d+)?)\s*(s\b|sec|seconds?)?",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>True when the text reads as a rate-limit error; <paramref name="retryAfter"/> when it names a wait.</summary>
        public static bool IsRateLimitText(string? text, out TimeSpan? retryAfter)
        {
            retryAfter = null;
            if (string.IsNullOrEmpty(text) || !RateLimitText.IsMatch(text))
            {
                return false;
            }

            retryAfter = RetryAfterIn(text);
            return true;
        }

        /// <summary>A "Retry-After: 30" (seconds) in a text, if any.</summary>
        public static TimeSpan? RetryAfterIn(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            Match m = RetryAfterText.Match(text);
            return m.Success && double.TryParse(m.Groups["seconds"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s <= 86_400
                ? TimeSpan.FromSeconds(s)
                : (TimeSpan?)null;
        }

        /// <summary>
        /// True when the exception (or one it wraps) carries HTTP 429, or its message reads as a rate limit. The
        /// response's Retry-After (seconds or a date) is returned when there is one. Read by reflection, so that
        /// HttpRequestException (.NET 5+), WebException and PowerShell's HttpResponseException all work without the
        /// engine depending on them.
        /// </summary>
        public static bool IsRateLimit(Exception exception, out TimeSpan? retryAfter)
        {
            retryAfter = null;
            for (Exception? e = exception; e != null; e = e.InnerException)
            {
                object? response = Property(e, "Response");
                int? status = StatusOf(Property(e, "StatusCode")) ?? StatusOf(response == null ? null : Property(response, "StatusCode"));
                if (status == TooManyRequests)
                {
                    retryAfter = response == null ? null : RetryAfterOf(response);
                    return true;
                }

                if (status == null && IsRateLimitText(e.Message, out TimeSpan? fromText))
                {
                    retryAfter = fromText;
                    return true;
                }
            }

            return false;
        }

        private static int? StatusOf(object? value)
        {
            if (value == null)
            {
                return null;
            }

            Type type = Nullable.GetUnderlyingType(value.GetType()) ?? value.GetType();
            return type.IsEnum || value is int ? Convert.ToInt32(value, CultureInfo.InvariantCulture) : (int?)null;
        }

        // HttpResponseMessage.Headers.RetryAfter (Delta or Date), or HttpWebResponse.Headers["Retry-After"].
        private static TimeSpan? RetryAfterOf(object response)
        {
            object? headers = Property(response, "Headers");
            if (headers == null)
            {
                return null;
            }

            object? typed = Property(headers, "RetryAfter");
            if (typed != null)
            {
                if (Property(typed, "Delta") is TimeSpan delta)
                {
                    return delta;
                }

                if (Property(typed, "Date") is DateTimeOffset date)
                {
                    TimeSpan wait = date - DateTimeOffset.UtcNow;
                    return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
                }
            }

            string? raw = null;
            if (headers is System.Collections.Specialized.NameValueCollection named)
            {
                raw = named["Retry-After"];
            }
            else if (headers is IDictionary dictionary && dictionary.Contains("Retry-After"))
            {
                raw = Convert.ToString(dictionary["Retry-After"], CultureInfo.InvariantCulture);
            }

            return raw != null && double.TryParse(raw.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0 && seconds <= 86_400
                ? TimeSpan.FromSeconds(seconds)
                : (TimeSpan?)null;
        }

        private static object? Property(object target, string name)
        {
            try
            {
                PropertyInfo? property = target.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
                return property == null || property.GetIndexParameters().Length > 0 ? null : property.GetValue(target);
            }
            catch (Exception e) when (e is TargetInvocationException || e is InvalidOperationException || e is NotSupportedException)
            {
                return null;
            }
        }
    }
}
