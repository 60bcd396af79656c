using System;
using System.Collections.Generic;
using System.Linq;

namespace BatchOps.Engine.Backup
{
    /// <summary>Chooses the backup sets that a retention policy no longer keeps.</summary>
    public static class BackupRetention
    {
        /// <param name="sets">The sets of one store, in any order.</param>
        /// <param name="policy">What to keep.</param>
        /// <param name="zone">The time zone whose days and hours count (local time for people; UTC in tests).</param>
        public static IReadOnlyList<VectorStoreBackup> SelectExpired(IEnumerable<VectorStoreBackup> sets, RetentionPolicy policy, TimeZoneInfo zone)
        {
            List<VectorStoreBackup> newestFirst = sets.OrderByDescending(s => s.Created).ThenByDescending(s => s.Name, StringComparer.Ordinal).ToList();
            if (policy.IsEmpty)
            {
                return Array.Empty<VectorStoreBackup>();
            }

            var kept = new HashSet<VectorStoreBackup>();
            if (policy.Keep is int keep)
            {
                kept.UnionWith(newestFirst.Take(keep));
            }

            if (policy.KeepDaily is int days)
            {
                kept.UnionWith(NewestPerPeriod(newestFirst, days, time => Local(time, zone).Date));
            }

            if (policy.KeepHourly is int hours)
            {
                kept.UnionWith(NewestPerPeriod(newestFirst, hours, time =>
                {
                    DateTime local = Local(time, zone);
                    return new DateTime(local.Year, local.Month, local.Day, local.Hour, 0, 0);
                }));
            }

            return newestFirst.Where(s => !kept.Contains(s)).ToList();
        }

        // The first (newest) set of each of the latest `count` periods that have any set.
        private static IEnumerable<VectorStoreBackup> NewestPerPeriod(List<VectorStoreBackup> newestFirst, int count, Func<DateTime, DateTime> period) =>
            newestFirst.GroupBy(s => period(s.Created)).Take(count).Select(g => g.First());

        private static DateTime Local(DateTime utc, TimeZoneInfo zone) =>
            TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
    }
}
