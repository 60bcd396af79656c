namespace BatchOps.Engine
{
    /// <summary>What a job name may be: short printable text without wildcard characters (they select jobs).</summary>
    public static class JobNames
    {
        public const int MaxLength = 128;

        public static void Validate(string? name)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.InvalidJobName, "The job name is empty. Pass -Job with a name such as 'embed-chunks'.", name);
            }

            if (name!.Length > MaxLength)
            {
                throw BatchOpsException.InvalidArgument(ErrorIds.InvalidJobName, $"The job name is {name.Length} characters long; the limit is {MaxLength}. Use a shorter name.", name);
            }

            foreach (char c in name)
            {
                if (char.IsControl(c) || c == '*' || c == '?' || c == '[' || c == ']')
                {
                    throw BatchOpsException.InvalidArgument(ErrorIds.InvalidJobName, $"The job name '{name}' contains '{(char.IsControl(c) ? "a control character" : c.ToString())}', which job names may not hold (wildcards select jobs). Use letters, digits, '-', '_' or '.'.", name);
                }
            }
        }
    }
}
